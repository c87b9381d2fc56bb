"""Results: per-sentence scores and the per-article signal report.

The stance index of an article is the mean of its sentences' stance scores
(P(toward) - P(away)), so it lies in [-1, 1] and does not drift toward the
extremes as articles grow longer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .matcher import SignalHit
from .model import CLASS_NAMES, CLASSES
from .patterns import SIGNALS

REPORT_SCHEMA = "stance.report/1"
# Evidence listed per signal category in the article summary.
EVIDENCE_PER_SIGNAL = 3


@dataclass(frozen=True, slots=True)
class SentenceScore:
    index: int
    start: int
    end: int
    text: str
    stance: int
    score: float
    probabilities: tuple[float, float, float]  # away, neutral, toward
    signals: tuple[SignalHit, ...]
    actors: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(c for c in SIGNALS if any(h.category == c for h in self.signals))

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "start": self.start, "end": self.end, "text": self.text,
            "stance": self.stance, "score": round(self.score, 4),
            "probabilities": {n: round(p, 4) for n, p in zip(CLASS_NAMES, self.probabilities)},
            "signals": [h.to_dict() for h in self.signals],
            "actors": list(self.actors),
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    """A signal hit with the sentence it stands in."""

    sentence: int
    hit: SignalHit
    sentence_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "sentence_text": self.sentence_text, **self.hit.to_dict()}


@dataclass(frozen=True, slots=True)
class ArticleReport:
    source: str
    title: str
    sentences: tuple[SentenceScore, ...]
    stance_index: float
    signal_counts: dict[str, int]
    evidence: dict[str, tuple[Evidence, ...]]
    model: str

    @property
    def sentence_count(self) -> int:
        return len(self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "source": self.source,
            "title": self.title,
            "sentence_count": self.sentence_count,
            "stance_index": round(self.stance_index, 4),
            "signal_counts": dict(self.signal_counts),
            "evidence": {c: [e.to_dict() for e in ev] for c, ev in self.evidence.items()},
            "model": self.model,
            "sentences": [s.to_dict() for s in self.sentences],
        }


def sentence_score(index: int, start: int, end: int, text: str, probs: Sequence[float],
                   hits: tuple[SignalHit, ...], actors: tuple[str, ...] = ()) -> SentenceScore:
    away, neutral, toward = (float(p) for p in probs)
    best = max(range(3), key=lambda k: probs[k])
    return SentenceScore(index, start, end, text, CLASSES[best], toward - away, (away, neutral, toward), hits, actors)


def build_report(source: str, title: str, sentences: Sequence[SentenceScore], model: str) -> ArticleReport:
    """Summarise scored sentences into the article report."""
    n = len(sentences)
    index = sum(s.score for s in sentences) / n if n else 0.0
    counts = {c: sum(1 for s in sentences if c in s.categories) for c in SIGNALS}
    evidence: dict[str, tuple[Evidence, ...]] = {}
    for cat in SIGNALS:
        found = [Evidence(s.index, h, s.text) for s in sentences for h in s.signals if h.category == cat]
        # Strongest first: heavier rules, then sentences the model is surest of.
        found.sort(key=lambda e: (-e.hit.weight, -abs(sentences[e.sentence].score), e.sentence))
        if found:
            evidence[cat] = tuple(found[:EVIDENCE_PER_SIGNAL])
    return ArticleReport(source, title, tuple(sentences), index, counts, evidence, model)
