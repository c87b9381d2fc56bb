"""The `stance` command line: parses arguments, calls the library, prints."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from . import __version__
from .errors import StanceError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Signals and stance in diplomatic news.")
rules_app = typer.Typer(no_args_is_help=True, help="Check, test and list rule files.")
app.add_typer(rules_app, name="rules")

EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2


class Format(str, Enum):
    text = "text"
    json = "json"


def _fail(exc: StanceError) -> NoReturn:
    typer.echo(f"stance: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stance {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = None,
) -> None:
    """Signals and stance in diplomatic news."""


RulesOption = Annotated[Optional[Path], typer.Option("--rules", help="Folder of rule files (default: shipped rules).")]
ModelOption = Annotated[Optional[Path], typer.Option("--model", help="Model file (default: shipped model).")]


@app.command()
def score(
    paths: Annotated[list[str], typer.Argument(help="Article files (.txt, .md, .html) or - for standard input.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    rules: RulesOption = None,
    model: ModelOption = None,
) -> None:
    """Score articles: stance index, signals and evidence."""
    from .classifier import Classifier
    from .documents import read_document
    from .render import render_json, render_text

    try:
        docs = [read_document(p) for p in paths]
        clf = Classifier.load(rules, model)
        reports = [clf.score_document(d) for d in docs]
    except StanceError as exc:
        _fail(exc)
    if format is Format.json:
        typer.echo(render_json(reports))
    else:
        typer.echo("\n\n".join(render_text(r) for r in reports))


@app.command()
def train(
    labels: Annotated[list[Path], typer.Argument(help="Labelled sentence files (.jsonl).")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Where to write the model (default: the shipped model).")] = None,
    folds: Annotated[int, typer.Option("--folds", "-k", min=0, help="Cross-validation folds (0 or 1: none).")] = 5,
    rules: RulesOption = None,
) -> None:
    """Train the stance model; print grouped cross-validation; write model and card."""
    from .labels import read_labels
    from .render_metrics import render_stance_metrics
    from .resources import default_model_path, default_rules_dir
    from .rulebook import load_rulebook
    from .train import train as fit

    try:
        label_set = read_labels(labels)
        rulebook = load_rulebook(rules if rules is not None else default_rules_dir())
        typer.echo(f"training on {len(label_set.sentences)} sentences from {len(label_set.files)} file(s)", err=True)
        result = fit(label_set, rulebook, folds, progress=lambda m: typer.echo(f"  {m}", err=True))
        target = out if out is not None else default_model_path()
        result.model.save(target, result.card)
    except StanceError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(StanceError(f"{exc.filename or target}: cannot write the model ({exc.strerror})", "choose a writable --out path"))
    if result.cv:
        typer.echo(render_stance_metrics(result.cv, f"grouped {result.cv['folds']}-fold cross-validation"))
    typer.echo(f"wrote {target} and its card")


@rules_app.command("check")
def rules_check(
    folder: Annotated[Optional[Path], typer.Argument(help="Rule folder (default: shipped rules).")] = None,
) -> None:
    """Validate rule files; print every problem as file:line:col."""
    from .resources import default_rules_dir
    from .rulebook import check_rules, load_rulebook

    root = folder if folder is not None else default_rules_dir()
    problems = check_rules(root)
    for p in problems:
        typer.echo(str(p))
    if problems:
        typer.echo(f"{len(problems)} problem(s)", err=True)
        raise typer.Exit(EXIT_PROBLEMS)
    typer.echo(f"{len(load_rulebook(root).rules)} rules OK in {root}")


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
