"""Labelling an article's sentences in the terminal, most uncertain first.

Active learning by uncertainty sampling: the sentences the model is least
sure of (lowest top-class probability) come first, since a label there
teaches the model most. Every answer is appended to the JSONL file at once
(nothing lost on quit or crash), and a new session skips ids already there.
Input and output are injected, so the loop runs the same under a terminal,
a pipe or a test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..classifier import Classifier
from ..text.documents import Document
from ..rulebook.patterns import SIGNALS
from ..report.article import SentenceScore

STANCE_KEYS = {"a": -1, "n": 0, "t": 1}
SIGNAL_KEYS = {"d": "deescalation", "c": "condition", "r": "red_line", "e": "escalation", "h": "hedge"}
HELP = ("keys: a = away (-1), n = neutral (0), t = toward (+1), s = skip, u = undo, q = quit; "
        "then signals as letters d c r e h (deescalation condition red_line escalation hedge), "
        "Enter to accept the suggestion, - for none")


@dataclass(frozen=True)
class LabelSummary:
    labelled: int
    skipped: int
    remaining: int
    out: Path


def document_id(doc: Document) -> str:
    return Path(doc.source).stem if doc.source != "-" else "stdin"


def uncertainty_order(scores: list[SentenceScore]) -> list[SentenceScore]:
    return sorted(scores, key=lambda s: (max(s.probabilities), s.index))


def _existing_ids(out: Path) -> list[str]:
    if not out.exists():
        return []
    ids = []
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            ids.append(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def _remove_last_line(out: Path) -> None:
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:-1]), encoding="utf-8")


def label_session(clf: Classifier, doc: Document, out: Path,
                  read: Callable[[str], str | None], write: Callable[[str], None]) -> LabelSummary:
    """Run one labelling session; `read(prompt)` returns a line or None at end of input."""
    report = clf.score_document(doc)
    prefix = document_id(doc)
    done = set(_existing_ids(out))
    queue = [s for s in uncertainty_order(list(report.sentences)) if f"{prefix}/s{s.index:02d}" not in done]
    history: list[SentenceScore] = []
    skipped = 0
    write(HELP)
    position = 0
    while position < len(queue):
        s = queue[position]
        sid = f"{prefix}/s{s.index:02d}"
        suggested = "".join(k for k, v in SIGNAL_KEYS.items() if v in s.categories)
        write(f"\n[{position + 1}/{len(queue)}] {sid}  model: {s.stance:+d} "
              f"(certainty {max(s.probabilities):.2f})  rules: {', '.join(s.categories) or 'none'}")
        write(f"  {s.text}")
        answer = read("stance [a/n/t s u q] > ")
        if answer is None or answer.strip().lower() == "q":
            break
        key = answer.strip().lower()
        if key == "s":
            skipped += 1
            position += 1
            continue
        if key == "u":
            if history:
                last = history.pop()
                _remove_last_line(out)
                position = queue.index(last)  # back to it; sentences skipped since come round again
                write(f"  undone: {prefix}/s{last.index:02d}")
            else:
                write("  nothing to undo")
            continue
        if key not in STANCE_KEYS:
            write(f"  '{answer.strip()}' is not a key; {HELP}")
            continue
        signals = _read_signals(read, write, suggested)
        if signals is None:
            break
        record = {"id": sid, "text": s.text, "stance": STANCE_KEYS[key], "signals": signals}
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        history.append(s)
        position += 1
    labelled = len(history)
    return LabelSummary(labelled, skipped, len(queue) - position, out)


def _read_signals(read: Callable[[str], str | None], write: Callable[[str], None], suggested: str) -> list[str] | None:
    while True:
        answer = read(f"signals [{suggested or '-'}] > ")
        if answer is None:
            return None
        letters = answer.strip().lower() or suggested
        if letters in ("-", ""):
            return []
        unknown = [c for c in letters if c not in SIGNAL_KEYS and not c.isspace()]
        if unknown:
            write(f"  unknown signal key(s) {''.join(unknown)}; use d c r e h, or - for none")
            continue
        chosen = {SIGNAL_KEYS[c] for c in letters if c in SIGNAL_KEYS}
        return [c for c in SIGNALS if c in chosen]
