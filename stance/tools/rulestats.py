"""Rule statistics and change review against labelled sentences.

`rule_stats` is Snorkel's labeling-function analysis for rules: per rule,
how many sentences it fires on, how often its category agrees with the
labels, and which other rules fire on the same sentences (overlap) or say
the opposite (conflict). `rules_diff` re-scores labels with two rule folders
so a rule edit is reviewed like code: what changed, and the metric delta.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StanceError
from ..model.labels import LabelledSentence
from ..rulebook.matcher import Matcher
from ..model.metrics import signal_metrics
from ..rulebook.patterns import OPPOSITE
from ..rulebook.loading import Rulebook


@dataclass(frozen=True)
class RuleStat:
    rule: str
    category: str
    fired: int
    agree: int
    disagree: int
    overlaps: dict[str, int] = field(default_factory=dict)
    conflicts: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.agree / self.fired if self.fired else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "category": self.category, "fired": self.fired, "agree": self.agree,
                "disagree": self.disagree, "precision": round(self.precision, 4),
                "overlaps": self.overlaps, "conflicts": self.conflicts}


def rule_stats(rulebook: Rulebook, sentences: Sequence[LabelledSentence]) -> list[RuleStat]:
    """Per-rule coverage, agreement with the labels' signals, overlaps and conflicts."""
    matcher = Matcher(rulebook)
    fired: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    together: dict[str, Counter[str]] = defaultdict(Counter)
    category = {r.id: r.category for r in rulebook.rules}
    for s in sentences:
        hits = matcher.match(s.text).hits
        rules_here = {h.rule: h.category for h in hits}
        for rule, cat in rules_here.items():
            fired[rule] += 1
            agree[rule] += cat in s.signals
            for other in rules_here:
                if other != rule:
                    together[rule][other] += 1
    out = []
    for r in rulebook.rules:
        overlaps = dict(together[r.id].most_common())
        conflicts = {o: n for o, n in overlaps.items() if category.get(o) == OPPOSITE.get(r.category)}
        out.append(RuleStat(r.id, r.category, fired[r.id], agree[r.id], fired[r.id] - agree[r.id], overlaps, conflicts))
    return out


@dataclass(frozen=True)
class SentenceChange:
    id: str
    text: str
    gold: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class RulesDiff:
    changes: tuple[SentenceChange, ...]
    before: dict[str, dict[str, float]]
    after: dict[str, dict[str, float]]

    def delta(self) -> dict[str, float]:
        return {c: round(self.after[c]["f1"] - self.before[c]["f1"], 4) for c in self.before}


def rules_diff(old: Rulebook, new: Rulebook, sentences: Sequence[LabelledSentence]) -> RulesDiff:
    """Sentences whose signals change between two rulebooks, and the F1 delta per category."""
    m_old, m_new = Matcher(old), Matcher(new)
    gold = [set(s.signals) for s in sentences]
    before = [{h.category for h in m_old.match(s.text).hits} for s in sentences]
    after = [{h.category for h in m_new.match(s.text).hits} for s in sentences]
    changes = tuple(
        SentenceChange(s.id, s.text, tuple(sorted(g)), tuple(sorted(b)), tuple(sorted(a)))
        for s, g, b, a in zip(sentences, gold, before, after) if a != b
    )
    return RulesDiff(changes, signal_metrics(gold, before), signal_metrics(gold, after))


def rules_at_revision(rev: str, folder: Path) -> Path:
    """Check out `folder` (a rules folder in a git repository) as of `rev` into a temp folder."""
    folder = folder.resolve()
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True).stdout.strip()
        rel = folder.relative_to(top).as_posix()
        names = subprocess.run(["git", "-C", top, "ls-tree", "-r", "-z", "--name-only", f"{rev}:{rel}"],
                               capture_output=True, text=True, check=True).stdout.split("\0")
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise StanceError(f"cannot read {folder} at revision '{rev}': {detail.strip()}",
                          "give a git revision of this repository, or two rule folders") from None
    target = Path(tempfile.mkdtemp(prefix="stance-rules-"))
    for name in names:  # paths below `folder`, subfolders included
        if name.endswith((".yaml", ".yml")):
            data = subprocess.run(["git", "-C", top, "show", f"{rev}:{rel}/{name}"], capture_output=True, check=True).stdout
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
    return target
