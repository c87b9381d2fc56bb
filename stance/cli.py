"""The `stance` command line: parses arguments, calls the library, prints."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from . import __version__
from .errors import ProblemsError, StanceError

if TYPE_CHECKING:
    from .corpus.stream import Scorer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Signals and stance in diplomatic news.")
rules_app = typer.Typer(no_args_is_help=True, help="Check, test, list and review rule files.")
app.add_typer(rules_app, name="rules")

EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2
EXIT_PARTIAL = 3  # a corpus run where some articles could not be scored


class Format(str, Enum):
    text = "text"
    json = "json"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"



def _fail(exc: StanceError) -> NoReturn:
    if isinstance(exc, ProblemsError):
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"stance: {exc.message} ({exc.hint})", err=True)
    else:
        typer.echo(f"stance: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def _notice(message: str) -> None:
    typer.echo(message, err=True)


def _one_blas_thread() -> None:
    """Scoring does no BLAS work that threads would speed up (one small
    matrix-vector product per article, in the bootstrap), but OpenBLAS,
    loaded with numpy, starts a thread per core that spins while idle:
    about 0.1 s of CPU per cold `stance score` on 2 cores, taken from
    other work, --jobs workers included (they inherit the setting). Call
    before numpy is imported; a value the user set is kept. The answers are
    the same (tests/test_equivalence.py passes either way)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


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
    paths: Annotated[Optional[list[str]], typer.Argument(help="Articles (.txt, .md, .html), folders, globs, or - for standard input.")] = None,
    input: Annotated[Optional[Path], typer.Option("--input", "-i", help="JSONL corpus: one article per line (id, text, optional title, date).")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.text,
    summary: Annotated[Optional[Path], typer.Option("--summary", help="Also write one CSV row per article here.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes to score with.")] = 1,
    rules: RulesOption = None,
    model: ModelOption = None,
) -> None:
    """Score articles: stance index, posture, signals, actors and evidence."""
    _one_blas_thread()
    from .corpus.stream import Scorer

    if not paths and input is None:
        _fail(StanceError("no articles given", "name article files, folders or globs, or --input corpus.jsonl"))
    rules_arg, model_arg = (str(rules) if rules else None), (str(model) if model else None)
    with Scorer(jobs, rules_arg, model_arg) as scorer:  # --jobs workers start, and load, meanwhile
        _score(scorer, paths, input, format, summary, rules_arg, model_arg)


def _score(scorer: Scorer, paths: Optional[list[str]], input: Optional[Path], format: ReportFormat,
           summary: Optional[Path], rules_arg: Optional[str], model_arg: Optional[str]) -> None:
    from .corpus.stream import expand_paths, load_for_life, read_corpus
    from .progress import Progress
    from .report.render import print_rich, use_rich
    from .corpus.summary import SummaryWriter

    out = sys.stdout
    try:
        load_for_life(rules_arg, model_arg, notify=_notice)  # fail fast on bad rules or model
        items = list(expand_paths(paths or []))
        single = len(items) == 1 and input is None
        if format is ReportFormat.html and not single:
            raise StanceError("--format html takes one article", "score articles one at a time, or use jsonl")
        writer = SummaryWriter(summary) if summary else None
    except StanceError as exc:
        _fail(exc)
    stream = items if input is None else read_corpus(input)
    rich_view = single and format is ReportFormat.text and use_rich()
    fmt = "report" if rich_view else format.value
    progress = Progress(enabled=not single)
    ok = failed = 0
    first = True
    try:
        if format is ReportFormat.json and not single:
            out.write("[\n")
        for outcome in scorer.score(stream, fmt):
            progress.step()
            if outcome.error:
                failed += 1
                progress.clear()
                out.flush()  # the reports before it first, at a terminal
                typer.echo(f"stance: {outcome.error}", err=True)
                continue
            ok += 1
            if writer:
                writer.add(outcome.summary)
            if rich_view:
                print_rich([outcome.report])
            elif format is ReportFormat.json and not single:
                out.write("" if first else ",\n")
                out.write(outcome.rendered or "")
            else:
                if format in (ReportFormat.text, ReportFormat.markdown) and not first:
                    out.write("\n")
                out.write(outcome.rendered or "")
                out.write("\n")
            first = False
        if format is ReportFormat.json and not single:
            out.write("\n]\n")
        if writer:
            writer.close()
    except StanceError as exc:  # e.g. corpus.WorkerDied: everything before it is written
        progress.clear()
        out.flush()
        _fail(exc)
    finally:
        progress.clear()
    if failed:
        if single or ok == 0:
            raise typer.Exit(EXIT_BAD_INPUT if single else EXIT_PARTIAL)
        typer.echo(f"stance: {failed} of {ok + failed} articles could not be scored", err=True)
        raise typer.Exit(EXIT_PARTIAL)


class Period(str, Enum):
    week = "week"
    month = "month"


@app.command()
def trend(
    corpus: Annotated[Path, typer.Argument(help="JSONL corpus: id, text, date (YYYY-MM-DD), optional title.")],
    actor: Annotated[Optional[str], typer.Option("--actor", help="Only this actor (id from rules/actors.yaml).")] = None,
    by: Annotated[Period, typer.Option("--by", help="Period.")] = Period.month,
    html_out: Annotated[Optional[Path], typer.Option("--html", help="Also write an HTML page with an SVG chart.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes to score with.")] = 1,
    rules: RulesOption = None,
    model: ModelOption = None,
) -> None:
    """Stance index and signal counts over time."""
    _one_blas_thread()
    from .corpus.stream import load_for_life, read_corpus, score_corpus
    from .corpus.trend import render_trend_html, render_trend_text
    from .corpus.trend import trend as over_time

    rules_arg, model_arg = (str(rules) if rules else None), (str(model) if model else None)
    try:
        clf = load_for_life(rules_arg, model_arg, notify=_notice)  # loaded once; scoring reuses it
        if actor is not None and actor not in {a.id for a in clf.rulebook.actors}:
            raise StanceError(f"unknown actor '{actor}'", "see the ids in rules/actors.yaml")
        pairs = []
        for o in score_corpus(read_corpus(corpus), "report", jobs, rules_arg, model_arg):
            if o.error:
                typer.echo(f"stance: {o.error}", err=True)
            else:
                pairs.append((o.date, o.report))
        periods = over_time(pairs, by.value, actor)
        if html_out is not None:
            html_out.write_text(render_trend_html(periods, f"stance by {by.value}" + (f": {actor}" if actor else "")),
                                encoding="utf-8")
    except StanceError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(StanceError(f"{html_out}: cannot write ({exc.strerror})", "choose a writable --html path"))
    typer.echo(render_trend_text(periods))


@app.command()
def train(
    labels: Annotated[list[Path], typer.Argument(help="Labelled sentence files (.jsonl).")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Where to write the model (default: the shipped model).")] = None,
    folds: Annotated[int, typer.Option("--folds", "-k", min=0, help="Cross-validation folds (0 or 1: none).")] = 5,
    tune_on: Annotated[Optional[list[str]], typer.Option(
        "--tune-on", help="A file-name pattern (quote it, e.g. 'reporting-*'; repeatable) picking the LABELS files whose "
                          "out-of-fold predictions choose the neutral offset and signal-head thresholds (default: all); "
                          "pick the files most like what you will score.")] = None,
    weight: Annotated[Optional[list[str]], typer.Option(
        "--weight", help="PATTERN=WEIGHT (quote it; repeatable, a later one wins): the weight of the matching LABELS "
                         "files' sentences in the stance classifier (default 1), e.g. '*=0.5' then 'reporting-*=1'.")] = None,
    neutral_offset: Annotated[Optional[float], typer.Option(
        "--neutral-offset", min=-3.0, max=3.0,
        help="Add this to the neutral logit instead of choosing the offset on the --tune-on files' "
             "out-of-fold predictions, so that a rule edit cannot move it.")] = None,
    rules: RulesOption = None,
) -> None:
    """Train the stance model; print grouped cross-validation; write model and card."""
    from .model.labels import read_labels
    from .model.linear import ensure_writable
    from .report.render_metrics import render_stance_metrics
    from .resources import default_model_path, default_rules_dir
    from .rulebook.loading import load_rulebook
    from .model.train import train as fit
    from .model.train import file_weights, tuning_files

    target = out if out is not None else default_model_path()
    try:
        label_set = read_labels(labels)
        rulebook = load_rulebook(rules if rules is not None else default_rules_dir())
        tuned, weights = tuning_files(labels, tune_on or ()), file_weights(labels, weight or ())
        ensure_writable(target)  # before training, so a bad --out costs no training run
        typer.echo(f"training on {len(label_set.sentences)} sentences from {len(label_set.files)} file(s)", err=True)
        result = fit(label_set, rulebook, folds, progress=lambda m: typer.echo(f"  {m}", err=True),
                     tune_on=tuned, weights=weights, neutral_offset=neutral_offset)
        result.model.save(target, result.card)
    except StanceError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(StanceError(f"{exc.filename or target}: cannot write the model ({exc.strerror})", "choose a writable --out path"))
    if result.cv:
        cv = result.cv
        typer.echo(render_stance_metrics(cv, f"grouped {cv['folds']}-fold cross-validation"))
        for name, m in cv["by_file"].items():
            typer.echo(f"  {name:<44} n={m['n']:>5}  macro-F1={m['macro_f1']:.3f}  accuracy={m['accuracy']:.3f}"
                       f"{f'  weight {weights[name]:g}' if name in weights else ''}")
        tuned = cv["neutral_offset_tuned_on"]
        how = "fixed by --neutral-offset" if cv["neutral_offset_fixed"] else "chosen"
        by_offset = ", ".join(f"{o} {f1:.3f}" for o, f1 in cv["offset_scores_on_tuning_files"].items())
        typer.echo(f"  neutral offset {cv['neutral_offset']:g} {how}; out-of-fold macro-F1 by offset on "
                   f"{tuned if isinstance(tuned, str) else ', '.join(tuned)}: {by_offset} "
                   f"(all files without an offset: {cv['without_offset']['macro_f1']:.3f}); "
                   f"calibration error of the top probability: {cv['calibration_error']:.3f}")
    typer.echo(f"wrote {target} and its card")


@app.command()
def evaluate(
    labels: LabelsArg,
    model: ModelOption = None,
    rules: RulesOption = None,
    against: Annotated[Optional[Path], typer.Option(
        "--against", help="Another model file (say, the one before a retrain): print the change in stance "
                          "macro-F1 from it, with a paired bootstrap interval.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Stance and signal metrics on labelled sentences, and the worst mistakes."""
    import json

    from .classifier import Classifier
    from .tools.evaluate import evaluate as run_evaluation
    from .model.labels import read_labels
    from .report.render_metrics import (render_article_metrics, render_change, render_interval,
                                        render_signal_metrics, render_stance_metrics)

    try:
        sentences = read_labels(labels).sentences
        if not sentences:
            raise StanceError(f"{', '.join(map(str, labels))}: no labelled sentences",
                              "give label files with one JSON object a line, as seeds/labels/README.md shows")
        baseline = Classifier.load(rules, against, notify=_notice) if against is not None else None
        result = run_evaluation(Classifier.load(rules, model, notify=_notice), sentences, against=baseline)
    except StanceError as exc:
        _fail(exc)
    if format is Format.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(render_stance_metrics(result["stance"], "stance"))
    if result["stance_interval"]:
        typer.echo(render_interval(result["stance_interval"]))
    if result["against"]:
        typer.echo(render_change(result["against"]))
    share = result["neutral_share"]
    typer.echo(f"  neutral share: predicted {share['predicted']:.3f}, labelled {share['labelled']:.3f}")
    typer.echo(render_signal_metrics(result["signals"], "signals (rule hits and learned signals against labelled signals)"))
    if result["articles"]:
        typer.echo(render_article_metrics(result["articles"]))
    typer.echo("worst mistakes:")
    for m in result["worst_mistakes"]:
        typer.echo(f"  {m['id']}: gold {m['gold']:+d}, predicted {m['predicted']:+d} ({m['score']:+.2f})  {m['text']}")


@app.command()
def label(
    article: Annotated[str, typer.Argument(help="The article to label.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="JSONL file to append to (default: ARTICLE.labels.jsonl).")] = None,
    rules: RulesOption = None,
    model: ModelOption = None,
) -> None:
    """Label an article's sentences, most uncertain first; resumes where it stopped."""
    from .classifier import Classifier
    from .text.documents import read_document
    from .tools.labelling import label_session

    def read(prompt: str) -> str | None:
        typer.echo(prompt, nl=False)
        line = sys.stdin.readline()
        return line if line else None

    try:
        doc = read_document(article)
        target = out if out is not None else Path(Path(article).stem + ".labels.jsonl")
        summary = label_session(Classifier.load(rules, model, notify=_notice), doc, target, read, typer.echo)
    except StanceError as exc:
        _fail(exc)
    typer.echo(f"\n{summary.labelled} labelled, {summary.skipped} skipped, {summary.remaining} left; saved in {summary.out}")


@rules_app.command("check")
def rules_check(
    folder: Annotated[Optional[Path], typer.Argument(help="Rule folder (default: shipped rules).")] = None,
) -> None:
    """Validate rule files; print every problem as file:line:col."""
    from .errors import RuleError
    from .resources import default_rules_dir
    from .rulebook.loading import load_rulebook

    root = folder if folder is not None else default_rules_dir()
    try:
        rulebook = load_rulebook(root)
    except RuleError as exc:
        for p in exc.problems:
            typer.echo(str(p))
        typer.echo(f"{len(exc.problems)} problem(s)", err=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    typer.echo(f"{len(rulebook.rules)} rules OK in {root}")


def _rulebook(folder: Optional[Path]):
    from .resources import default_rules_dir
    from .rulebook.loading import load_rulebook

    return load_rulebook(folder if folder is not None else default_rules_dir())


RulesFolder = Annotated[Optional[Path], typer.Argument(help="Rule folder (default: shipped rules).")]
LabelsArg = Annotated[list[Path], typer.Argument(help="Labelled sentence files (.jsonl).")]


@rules_app.command("test")
def rules_test(
    folder: RulesFolder = None,
    k: Annotated[Optional[str], typer.Option("-k", help="Only examples whose id contains this text.")] = None,
) -> None:
    """Run every rule's match / no_match examples; print each failure."""
    from .rulebook.matcher import Matcher
    from .rulebook.ruletest import example_cases, run_case

    try:
        rulebook = _rulebook(folder)
    except StanceError as exc:
        _fail(exc)
    matcher = Matcher(rulebook)
    outcomes = [run_case(matcher, c) for c in example_cases(rulebook.rules, k)]
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        want = "should fire" if o.case.expect else "should not fire"
        typer.echo(f"FAIL {o.case.case_id} ({o.case.rule.path}:{o.case.rule.line}): {want} on {o.case.sentence!r}")
        typer.echo(f"     {o.detail}")
    typer.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


@rules_app.command("list")
def rules_list(
    folder: RulesFolder = None,
    category: Annotated[Optional[str], typer.Option("--category", "-c", help="Only this signal category.")] = None,
) -> None:
    """List rule ids, categories and descriptions."""
    try:
        rulebook = _rulebook(folder)
    except StanceError as exc:
        _fail(exc)
    for r in rulebook.rules:
        if category is None or r.category == category:
            typer.echo(f"{r.id:<44} {r.category:<13} {r.description}")


@rules_app.command("stats")
def rules_stats(
    labels: LabelsArg,
    rules: RulesOption = None,
) -> None:
    """Per rule: coverage, agreement with labelled signals, overlaps and conflicts."""
    from .model.labels import read_labels
    from .report.render_metrics import render_rule_stats
    from .tools.rulestats import rule_stats

    try:
        label_set = read_labels(labels)
        stats = rule_stats(_rulebook(rules), label_set.sentences)
    except StanceError as exc:
        _fail(exc)
    typer.echo(render_rule_stats(stats))


@rules_app.command("diff")
def rules_diff(
    labels: LabelsArg,
    against: Annotated[Optional[str], typer.Option("--against", help="Git revision of the old rules (e.g. HEAD).")] = None,
    old: Annotated[Optional[Path], typer.Option("--old", help="Folder of the old rules (instead of --against).")] = None,
    rules: RulesOption = None,
) -> None:
    """Re-score labels with old and new rules; list changed sentences and the F1 delta."""
    from .model.labels import read_labels
    from .report.render_metrics import render_rules_diff
    from .resources import default_rules_dir
    from .rulebook.loading import load_rulebook
    from .tools.rulestats import rules_at_revision
    from .tools.rulestats import rules_diff as diff

    if (against is None) == (old is None):
        _fail(StanceError("give exactly one of --against REV or --old FOLDER", "see 'stance rules diff --help'"))
    try:
        new_folder = rules if rules is not None else default_rules_dir()
        old_folder = old if old is not None else rules_at_revision(str(against), new_folder)
        result = diff(load_rulebook(old_folder), load_rulebook(new_folder), read_labels(labels).sentences)
    except StanceError as exc:
        _fail(exc)
    typer.echo(render_rules_diff(result))


@rules_app.command("uncovered")
def rules_uncovered(
    articles: Annotated[list[str], typer.Argument(help="Article files to mine.")],
    top: Annotated[int, typer.Option("--top", help="How many phrases to list.")] = 30,
    rules: RulesOption = None,
) -> None:
    """Frequent phrases near actors that no rule covers: candidates for new rules."""
    from .rulebook.actors import ActorMatcher
    from .text.documents import read_document
    from .rulebook.matcher import Matcher
    from .tools.uncovered import uncovered_phrases

    try:
        rulebook = _rulebook(rules)
        texts = [read_document(a).text for a in articles]
    except StanceError as exc:
        _fail(exc)
    for c in uncovered_phrases(texts, Matcher(rulebook), ActorMatcher(rulebook.actors), top=top):
        typer.echo(f"{c.count:>5}  {c.phrase:<32} e.g. {c.example}")


@app.command()
def explain(
    sentence: Annotated[str, typer.Argument(help="The sentence to explain.")],
    rules: RulesOption = None,
    model: ModelOption = None,
) -> None:
    """Show each hit, what negation or unless did, the actors, and the model's reasons."""
    from .classifier import Classifier
    from .tools.explain import explain as explain_sentence

    try:
        ex = explain_sentence(Classifier.load(rules, model, notify=_notice), sentence)
    except StanceError as exc:
        _fail(exc)
    s = ex.score
    typer.echo(f"stance {s.stance:+d}  score {s.score:+.2f}  (away {s.probabilities[0]:.2f}, "
               f"neutral {s.probabilities[1]:.2f}, toward {s.probabilities[2]:.2f})")
    typer.echo(f"actors: {', '.join(s.actors) or '-'}")
    typer.echo("hits:" if ex.hits else "hits: none")
    for h in ex.hits:
        typer.echo(f"  {h.category:<13} '{h.text}' [{h.start}:{h.end}] {h.rule} via {h.pattern}"
                   f"{' (negated)' if h.negated else ''}{' -> ' + h.actor if h.actor else ''}")
    for sup in ex.suppressed:
        typer.echo(f"  removed       '{sup.hit.text}' {sup.hit.rule}: {sup.reason}")
    typer.echo("strongest features (pull toward + / away -):")
    for name, pull in ex.features:
        typer.echo(f"  {pull:+.3f}  {name}")


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
