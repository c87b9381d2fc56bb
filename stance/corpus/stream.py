"""Scoring many articles: inputs streamed, work spread over processes, output in order.

Inputs are read lazily (files, folders, globs, or a JSONL corpus with one
article per line). Each article is scored by `score_item`, a module-level,
picklable function that loads the classifier once per process: the same
function serves `--jobs N` here (a joblib process pool) and a Dask bag (see
the README). Outcomes come back in input order with a bounded amount of work
and of finished results held at any time, so memory stays flat however long
the corpus.
"""

from __future__ import annotations

import gc
import glob
import json
import os
import re
import signal
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from ..errors import StanceError

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
# Articles sent to a worker in one message: amortises pickling (loky's
# cloudpickler is set up afresh for every batch), the round trip and
# joblib's bookkeeping per batch. Timed on 4,000 articles with --jobs 2
# and one call per window: workers idle 4.0-4.2% of their time at 8
# against 4.5-5.0% at 4, the parent's CPU 1.05 s against 1.35 s. On
# 10,000 articles, runs alternated: 9.75-9.90 s at 32 against 9.97-10.18 s
# at 8, and 64 no better than 32 (9.60-9.90 s).
BATCH = 32
# Articles read but not yet handed back, at most. They go out as two halves,
# each one joblib.Parallel call with all its batches sent at once: while the
# parent reads the outcomes of one half in order, the workers already hold
# the other, so they never wait for the parent at the end of a half (with
# one call per window they idled about 35 ms at each). joblib sends a call's
# batches whether or not earlier results were read, so ending a call after
# each half is also what bounds the finished results held with a slow
# reader (output into a slow pipe): WINDOW articles, about 34 MB of jsonl.
WINDOW = 1024


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


class WorkerDied(StanceError):
    """A worker process ended while scoring: killed by a signal, out of memory, or exited."""

    exit_code = 4  # not 3: the run stopped early, articles after this one were not scored


_LOADED: dict[tuple[str | None, str | None], Any] = {}


def load_classifier(rules: str | None, model: str | None, notify: Callable[[str], None] | None = None) -> Any:
    """The classifier for these rules and model, loaded once per process."""
    key = (rules, model)
    if key not in _LOADED:
        from ..classifier import Classifier

        _LOADED[key] = Classifier.load(rules, model, notify=notify)
    return _LOADED[key]


def load_for_life(rules: str | None, model: str | None, notify: Callable[[str], None] | None = None) -> Any:
    """`load_classifier`, for a process that keeps the classifier to its end.

    Once it is loaded, the objects the process holds (about 106,000, most
    of them the classifier's) are frozen out of the cyclic garbage
    collector's reach: they live as long as the process, so the collections
    scoring sets off, and the full one at exit (about 35 ms), skip them. In
    a --jobs worker this matters more: without psutil loky runs a full
    collection in each worker every second, 45 ms with them and nothing
    without, timed on the 2-core machine.
    """
    clf = load_classifier(rules, model, notify=notify)
    gc.freeze()
    return clf


def summary_row(item_id: str, date: str | None, report: Any) -> dict[str, Any]:
    return {"id": item_id, "date": date or "", "title": report.title, "posture": report.posture,
            "stance_index": round(report.stance.index, 4), "stance_low": round(report.stance.low, 4),
            "stance_high": round(report.stance.high, 4), "sentences": report.sentence_count,
            **report.signal_counts}


def score_item(item: Item, fmt: str = "json", rules: str | None = None, model: str | None = None) -> Outcome:
    """Score one article in this process; never raises for a bad article."""
    from ..text.documents import parse_document, read_document
    from ..report.render import render_html, render_json, render_jsonl, render_markdown, render_text

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


def _windows(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while window := list(islice(iterator, size)):
        yield window


# A -W option for loky's resource tracker, see _quiet_resource_tracker.
TRACKER_WARNINGS = "ignore:resource_tracker:UserWarning"


def _quiet_resource_tracker() -> None:
    """Start loky's resource trackers with their warnings off, unless they are running already.

    A tracker is a helper process that unlinks the pool's semaphores should
    they outlive it. After a worker is killed, loky's sometimes warns that
    one "appears to have leaked", then finds it already unlinked: a message
    lost at exit (roughly one run in a hundred under load), not a leak, but
    lines on standard error after the one that reports the death. A tracker
    takes its -W options from sys.warnoptions as it starts, so the option is
    there only for that moment. loky also starts multiprocessing's tracker.
    """
    from multiprocessing import resource_tracker as mp_tracker

    from joblib.externals.loky.backend import resource_tracker as loky_tracker

    sys.warnoptions.append(TRACKER_WARNINGS)
    try:
        loky_tracker.ensure_running()
        mp_tracker.ensure_running()
    finally:
        sys.warnoptions.remove(TRACKER_WARNINGS)


def _exit_meaning(code: int) -> str:
    if code >= 0:
        return f"exited with status {code}"
    try:
        return f"killed by signal {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


def _how_it_died(exc: BaseException) -> str:
    """'killed by signal SIGKILL' or 'exited with status 1', read from loky's TerminatedWorkerError."""
    listed = str(exc).partition("exit codes of the workers are")[2]
    codes = sorted({int(c) for c in re.findall(r"\((-?\d+)\)", listed)})
    return " / ".join(map(_exit_meaning, codes)) or "ended without an exit status"


def score_corpus(items: Iterable[Item], fmt: str, jobs: int = 1, rules: str | None = None,
                 model: str | None = None) -> Iterator[Outcome]:
    """Outcomes in input order, scored by `jobs` processes (see `Scorer`)."""
    with Scorer(jobs, rules, model) as scorer:
        yield from scorer.score(items, fmt)


class _RebuildInParent(Exception):
    """Raised by a worker's notify: rebuilding the default model is the parent's job, not each worker's."""


def _rebuild_in_parent(message: str) -> None:
    raise _RebuildInParent(message)


def _start_worker(rules: str | None, model: str | None) -> None:
    """Run first in each worker process: no stack dump on a crash, the classifier loaded.

    loky turns on faulthandler in its workers unless PYTHONFAULTHANDLER is
    set, so a crash would print a stack on standard error, where
    `score_corpus` reports a dead worker in one line. Set PYTHONFAULTHANDLER
    yourself to keep the dump.

    The classifier is loaded for the worker's life (`load_for_life`) as the
    worker starts, while the parent loads its own and opens the input.
    Nothing may escape: an exception in a loky initializer breaks the pool.
    Bad rules or a bad model are reported once, by the parent; a default
    model that needs rebuilding is rebuilt by the parent, and a worker loads
    it at its first article.
    """
    os.environ.setdefault("PYTHONFAULTHANDLER", "")
    try:
        load_for_life(rules, model, notify=_rebuild_in_parent)
    except Exception:  # noqa: BLE001 - see above
        pass


def _started() -> None:
    """A task that does nothing: sending it starts the worker processes."""


class Scorer:
    """Scores a stream of articles with `jobs` processes, outcomes in input order.

    Entered with jobs > 1, it starts the worker processes at once, each
    loading the classifier, so the caller can load its own and open its
    input meanwhile. `score` sends WINDOW // 2 articles per joblib.Parallel
    call, all at once in batches of BATCH, alternating between two Parallel
    objects over the same loky workers: the workers score one half while the
    outcomes of the half before are yielded, in order. If a worker process
    dies, see `_after_a_death`: WorkerDied is raised once every article
    before the one that killed it has been yielded.
    """

    def __init__(self, jobs: int, rules: str | None = None, model: str | None = None) -> None:
        self.jobs, self.rules, self.model = jobs, rules, model
        self._pools: list[Any] = []
        self._starting: Any = None  # the generator of the task that started the workers

    def __enter__(self) -> Scorer:
        if self.jobs > 1:
            from joblib import delayed

            _quiet_resource_tracker()
            self._pools = [_pool(self.jobs, self.rules, self.model) for _ in range(2)]
            for pool in self._pools:
                pool.__enter__()
            # loky starts every worker at the first task sent.
            self._starting = self._pools[0]([delayed(_started)()])
        return self

    def __exit__(self, *exc: object) -> None:
        with _unused_results_expected():
            if self._starting is not None:
                self._starting.close()
            for pool in self._pools:
                pool.__exit__(None, None, None)

    def score(self, items: Iterable[Item], fmt: str) -> Iterator[Outcome]:
        if self.jobs <= 1:
            for item in items:
                yield score_item(item, fmt, self.rules, self.model)
            return
        from joblib import delayed
        from joblib.externals.loky.process_executor import TerminatedWorkerError

        sent: deque[list[Any]] = deque()  # [half, its outputs] sent and not yet read: two at most
        done = taken = 0  # outcomes yielded; of them, from the half being read
        halves = _windows(items, max(WINDOW // 2, 1))
        try:
            if self._starting is not None:
                starting, self._starting = self._starting, None
                try:
                    list(starting)
                except TerminatedWorkerError:
                    pass  # the first half finds the pool broken, and scores its articles again
            turn = 0
            while True:
                while len(sent) < 2 and (half := next(halves, None)) is not None:
                    sent.append([half, None])
                    parallel = self._pools[turn % 2]  # free: the half it scored before has been read
                    turn += 1
                    sent[-1][1] = parallel(delayed(score_item)(item, fmt, self.rules, self.model) for item in half)
                if not sent:
                    return
                for outcome in sent[0][1]:
                    yield outcome
                    taken += 1
                    done += 1
                sent.popleft()
                taken = 0  # none yet from the half now first: a death while sending the next counts from it
        except TerminatedWorkerError as exc:
            rest = [item for half, _ in sent for item in half][taken:]
            self._close(sent)
            yield from _after_a_death(self.jobs, rest, done, _how_it_died(exc), fmt, self.rules, self.model)
        finally:
            self._close(sent)

    @staticmethod
    def _close(sent: deque[list[Any]]) -> None:
        with _unused_results_expected():
            while sent:
                _, outputs = sent.popleft()
                if outputs is not None:
                    outputs.close()


@contextmanager
def _unused_results_expected() -> Iterator[None]:
    """Closing joblib's results early makes it warn that results went unused;
    here that is the plan (a run stopped or a worker died), not a mistake."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _pool(jobs: int, rules: str | None, model: str | None) -> Any:
    """A joblib.Parallel over `jobs` loky worker processes, results streamed back in order.

    Every call's batches are sent at once (the caller bounds a call to
    WINDOW // 2 articles), so the workers take them in input order. Pools
    made with the same arguments share loky's worker processes.
    """
    from joblib import Parallel

    return Parallel(n_jobs=jobs, backend="loky", return_as="generator", batch_size=BATCH, pre_dispatch="all",
                    initializer=_start_worker, initargs=(rules, model))


def _after_a_death(jobs: int, rest: list[Item], done: int, how: str, fmt: str, rules: str | None,
                   model: str | None) -> Iterator[Outcome]:
    """Yield what a dead worker took with it, up to the article that kills a worker; raise WorkerDied.

    A death breaks the whole pool: every outcome not yet yielded is lost,
    finished or not, and which article was on the dead worker is not known.
    So `rest` is scored again one article per call, each alone in a worker:
    the first to die again is the one, and every article before it has been
    yielded. If none dies, something outside stance ended the worker.

    A new pool: joblib (1.6) restarts the one that lost a worker without
    its initializer, so a crash there would dump a stack.
    """
    from joblib import delayed
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    with _pool(jobs, rules, model) as parallel:
        for item in rest:
            try:
                [outcome] = parallel([delayed(score_item)(item, fmt, rules, model)])
            except TerminatedWorkerError as exc:
                raise WorkerDied(f"a worker process died ({_how_it_died(exc)}) while scoring article '{item.id}'; "
                                 f"the {done} articles before it were scored",
                                 "leave that article out, or score it alone with --jobs 1 to see what goes wrong"
                                 ) from None
            yield outcome
            done += 1
    raise WorkerDied(f"a worker process died ({how}) and no article made one die again when scored on its own; "
                     f"stopped after the first {done} articles, up to '{rest[-1].id}'" if rest else
                     f"a worker process died ({how}); stopped after the first {done} articles",
                     "something outside stance ended it, often the system running short of memory: "
                     "score the rest, with fewer --jobs if memory is short")
