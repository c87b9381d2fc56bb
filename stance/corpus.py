"""Scoring many articles: inputs streamed, work spread over processes, output in order.

Inputs are read lazily (files, folders, globs, or a JSONL corpus with one
article per line), with a bounded number of chunks in flight so memory
stays flat however long the corpus, and yielded in input order. Each article is scored
by `score_item`, a module-level, picklable function that loads the
classifier once per process: the same function serves `--jobs N` here and
a Dask bag (see the README).
"""

from __future__ import annotations

import glob
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from .errors import StanceError

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
# Chunks in flight per worker: enough to keep every worker busy, few enough
# that memory does not grow with the corpus.
PENDING_PER_JOB = 8
# Articles sent to a worker in one message (amortises pickling).
CHUNK = 4


@dataclass(frozen=True)
class Item:
    """One article to score: a file to read, or text given inline."""

    id: str
    path: str | None = None
    text: str | None = None
    title: str | None = None
    date: str | None = None
    error: str | None = None  # set when the input itself was unreadable


@dataclass(frozen=True)
class Outcome:
    id: str
    date: str | None
    rendered: str | None  # the article in the requested format
    summary: dict[str, Any] | None
    error: str | None
    report: Any = None  # the ArticleReport itself, for format "report"


def expand_paths(paths: Sequence[str]) -> Iterator[Item]:
    """Files named, found under folders, or matched by globs, in a stable order."""
    for p in paths:
        if p == "-":
            yield Item(id="-", path="-")
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                raise StanceError(f"{p}: folder holds no articles", f"expected files ending in {', '.join(sorted(ARTICLE_SUFFIXES))}")
            yield from (Item(id=str(f), path=str(f)) for f in found)
        elif any(c in p for c in "*?[") and not path.exists():
            matched = sorted(glob.glob(p, recursive=True))
            if not matched:
                raise StanceError(f"{p}: no file matches", "check the pattern")
            yield from (Item(id=m, path=m) for m in matched)
        else:
            yield Item(id=p, path=p)


def read_corpus(path: Path) -> Iterator[Item]:
    """Articles from JSON Lines: {"id", "text", optional "title" and "date"} per line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise StanceError(f"{path}: cannot be read ({exc.strerror})", "check the path") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Item(id=where, error=f"{where}: bad JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                yield Item(id=str(obj.get("id", where)) if isinstance(obj, dict) else where,
                           error=f"{where}: needs a JSON object with a string 'text'")
                continue
            yield Item(id=str(obj.get("id", where)), text=obj["text"], title=obj.get("title"),
                       date=obj.get("date"))


_LOADED: dict[tuple[str | None, str | None], Any] = {}


def load_classifier(rules: str | None, model: str | None, notify: Callable[[str], None] | None = None) -> Any:
    """The classifier for these rules and model, loaded once per process."""
    key = (rules, model)
    if key not in _LOADED:
        from .classifier import Classifier

        _LOADED[key] = Classifier.load(rules, model, notify=notify)
    return _LOADED[key]


def summary_row(item_id: str, date: str | None, report: Any) -> dict[str, Any]:
    return {"id": item_id, "date": date or "", "title": report.title, "posture": report.posture,
            "stance_index": round(report.stance.index, 4), "stance_low": round(report.stance.low, 4),
            "stance_high": round(report.stance.high, 4), "sentences": report.sentence_count,
            **report.signal_counts}


def score_item(item: Item, fmt: str = "json", rules: str | None = None, model: str | None = None) -> Outcome:
    """Score one article in this process; never raises for a bad article."""
    from .documents import parse_document, read_document
    from .render import render_html, render_json, render_jsonl, render_markdown, render_text

    if item.error:
        return Outcome(item.id, item.date, None, None, item.error)
    try:
        if item.path is not None:
            doc = read_document(item.path)
        else:
            doc = parse_document((item.text or "").encode("utf-8"), item.id)
        clf = load_classifier(rules, model)
        report = clf.score_text(doc.text, item.title if item.title is not None else doc.title, item.id)
    except StanceError as exc:
        return Outcome(item.id, item.date, None, None, str(exc))
    renderers: dict[str, Callable[[Any], str]] = {
        "json": render_json, "jsonl": render_jsonl,
        "text": render_text, "markdown": render_markdown, "html": render_html, "report": lambda r: "",
    }
    return Outcome(item.id, item.date, renderers[fmt](report), summary_row(item.id, item.date, report), None,
                   report if fmt == "report" else None)


def _score_chunk(args: tuple[list[Item], str, str | None, str | None]) -> list[Outcome]:
    items, fmt, rules, model = args
    return [score_item(i, fmt, rules, model) for i in items]


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def score_corpus(items: Iterable[Item], fmt: str, jobs: int = 1, rules: str | None = None,
                 model: str | None = None) -> Iterator[Outcome]:
    """Outcomes in input order, scored by `jobs` processes.

    At most PENDING_PER_JOB chunks per worker are in flight, so the input is
    read only as fast as it is scored and memory stays flat.
    """
    if jobs <= 1:
        for item in items:
            yield score_item(item, fmt, rules, model)
        return
    import multiprocessing

    load_classifier(rules, model)  # load once here; forked workers inherit it
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pending: deque[Any] = deque()
    with ctx.Pool(jobs) as pool:
        for chunk in _chunks(items, CHUNK):
            pending.append(pool.apply_async(_score_chunk, ((chunk, fmt, rules, model),)))
            if len(pending) >= PENDING_PER_JOB * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
