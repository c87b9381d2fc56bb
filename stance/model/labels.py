"""Labelled sentences (JSON Lines, see LABELLING.md), read and validated.

Every problem in every file is reported at once with file and line, so a
retraining run never starts on labels it would silently misread.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import LabelError, Problem
from ..rulebook.patterns import SIGNALS

FIELDS = ("id", "text", "stance", "signals")


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    id: str
    text: str
    stance: int
    signals: tuple[str, ...]
    path: str
    line: int

    @property
    def document(self) -> str:
        """The document a sentence belongs to: its id up to the last '/'."""
        return self.id.rsplit("/", 1)[0] if "/" in self.id else self.id


@dataclass(frozen=True, slots=True)
class LabelSet:
    sentences: tuple[LabelledSentence, ...]
    files: tuple[str, ...]
    sha256: str


def _digest(files: Iterable[tuple[str, bytes]]) -> str:
    """One hash for a set of label files, whatever order they were named in."""
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def labels_sha256(paths: Iterable[str | Path]) -> str:
    """The hash `read_labels` records for these files."""
    return _digest((Path(p).name, Path(p).read_bytes()) for p in paths)


def read_labels(paths: Iterable[str | Path]) -> LabelSet:
    """Read and validate label files; raise `LabelError` listing every problem."""
    problems: list[Problem] = []
    sentences: list[LabelledSentence] = []
    seen_ids: dict[str, LabelledSentence] = {}
    seen_texts: dict[str, LabelledSentence] = {}
    contents: list[tuple[str, bytes]] = []
    files: list[str] = []
    for path in map(Path, paths):
        files.append(str(path))
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), 0, 0, f"cannot be read: {exc.strerror}", "check the path"))
            continue
        contents.append((path.name, data))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), 1, 1, f"is not valid UTF-8 (byte {exc.start})", "save it as UTF-8"))
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            item = _parse(line, str(path), number, problems)
            if item is None:
                continue
            if item.id in seen_ids:
                first = seen_ids[item.id]
                problems.append(Problem(str(path), number, 1, f"duplicate id '{item.id}' (first at {first.path}:{first.line})", "give each sentence its own id"))
                continue
            twin = seen_texts.get(item.text)
            if twin is not None and (twin.stance, set(twin.signals)) != (item.stance, set(item.signals)):
                problems.append(Problem(str(path), number, 1,
                                        f"same text as {twin.id} ({twin.path}:{twin.line}) with different labels",
                                        "make the labels agree or drop one"))
                continue
            seen_ids[item.id] = item
            seen_texts.setdefault(item.text, item)
            sentences.append(item)
    if not files:
        problems.append(Problem("-", 0, 0, "no label files given", "name one or more .jsonl files"))
    if problems:
        raise LabelError(problems, "labels")
    return LabelSet(tuple(sentences), tuple(files), _digest(contents))


def _parse(line: str, path: str, number: int, problems: list[Problem]) -> LabelledSentence | None:
    def bad(message: str, hint: str) -> None:
        problems.append(Problem(path, number, 1, message, hint))

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        problems.append(Problem(path, number, exc.colno, f"bad JSON: {exc.msg}", "one JSON object per line"))
        return None
    if not isinstance(obj, dict):
        bad("line is not a JSON object", 'write {"id": ..., "text": ..., "stance": ..., "signals": [...]}')
        return None
    missing = [f for f in FIELDS if f not in obj]
    if missing:
        bad(f"missing field(s): {', '.join(missing)}", "every line needs id, text, stance and signals")
        return None
    ok = True
    if not isinstance(obj["id"], str) or not obj["id"].strip():
        bad("id must be a non-empty string", "use ids like doc-name/s07")
        ok = False
    if not isinstance(obj["text"], str) or not obj["text"].strip():
        bad("text must be a non-empty string", "the sentence as it stands in the article")
        ok = False
    if obj["stance"] not in (-1, 0, 1) or isinstance(obj["stance"], bool):
        bad(f"stance must be -1, 0 or 1, not {obj['stance']!r}", "see LABELLING.md")
        ok = False
    signals = obj["signals"]
    if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
        bad("signals must be a list of names", f"use names from: {', '.join(SIGNALS)}")
        ok = False
    else:
        unknown = [s for s in signals if s not in SIGNALS]
        if unknown:
            bad(f"unknown signal(s): {', '.join(unknown)}", f"use names from: {', '.join(SIGNALS)}")
            ok = False
    if not ok:
        return None
    return LabelledSentence(obj["id"], obj["text"], int(obj["stance"]), tuple(dict.fromkeys(signals)), path, number)
