"""Results: per-sentence scores and the per-article signal report.

The stance index of an article is the mean of its sentences' stance scores
(P(toward) - P(away)) over the sentences the model does not abstain on (see
`posture.py`), so it lies in [-1, 1] and does not drift toward the extremes
as articles grow longer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..fastinit import frozen_init
from ..rulebook.matcher import SignalHit
from ..model.linear import CLASS_NAMES, CLASSES
from ..rulebook.patterns import SIGNALS
from ..report.posture import StanceEstimate, estimate, posture

REPORT_SCHEMA = "stance.report/1"
# Evidence listed per signal category in the article summary.
EVIDENCE_PER_SIGNAL = 3
EVIDENCE_PER_ACTOR = 4


@frozen_init
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


@frozen_init
@dataclass(frozen=True, slots=True)
class Evidence:
    """A signal hit with the sentence it stands in."""

    sentence: int
    hit: SignalHit
    sentence_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "sentence_text": self.sentence_text, **self.hit.to_dict()}


@frozen_init
@dataclass(frozen=True, slots=True)
class ActorSummary:
    """Who signals what: an actor's sentences, mean stance and attributed signals."""

    actor: str
    name: str
    sentences: tuple[int, ...]
    mean_stance: float
    signal_counts: dict[str, int]
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "name": self.name, "sentences": list(self.sentences),
                "mean_stance": round(self.mean_stance, 4), "signal_counts": dict(self.signal_counts),
                "evidence": [e.to_dict() for e in self.evidence]}


@frozen_init
@dataclass(frozen=True, slots=True)
class ArticleReport:
    source: str
    title: str
    sentences: tuple[SentenceScore, ...]
    stance: StanceEstimate
    posture: str
    signal_counts: dict[str, int]
    evidence: dict[str, tuple[Evidence, ...]]
    actors: tuple[ActorSummary, ...]
    model: str

    @property
    def sentence_count(self) -> int:
        return len(self.sentences)

    @property
    def stance_index(self) -> float:
        return self.stance.index

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "source": self.source,
            "title": self.title,
            "sentence_count": self.sentence_count,
            "stance_index": round(self.stance.index, 4),
            "stance_interval": [round(self.stance.low, 4), round(self.stance.high, 4)],
            "abstained": self.stance.abstained,
            "posture": self.posture,
            "signal_counts": dict(self.signal_counts),
            "evidence": {c: [e.to_dict() for e in ev] for c, ev in self.evidence.items()},
            "actors": [a.to_dict() for a in self.actors],
            "model": self.model,
            "sentences": [s.to_dict() for s in self.sentences],
        }


def sentence_score(index: int, start: int, end: int, text: str, probs: Sequence[float],
                   hits: tuple[SignalHit, ...], actors: tuple[str, ...] = ()) -> SentenceScore:
    away, neutral, toward = probs
    best = 2 if toward >= away and toward >= neutral else 0 if away >= neutral else 1
    return SentenceScore(index, start, end, text, CLASSES[best], toward - away, (away, neutral, toward), hits, actors)


def _strongest(found: list[Evidence], sentences: Sequence[SentenceScore], limit: int) -> tuple[Evidence, ...]:
    """Heavier rules first, then sentences the model is surest of."""
    found = sorted(found, key=lambda e: (-e.hit.weight, -abs(sentences[e.sentence].score), e.sentence))
    return tuple(found[:limit])


def _sentence_counts(found: Sequence[Evidence]) -> dict[str, int]:
    """Per signal, how many sentences the evidence comes from."""
    sentences: dict[str, set[int]] = {c: set() for c in SIGNALS}
    for e in found:
        seen = sentences.get(e.hit.category)
        if seen is not None:
            seen.add(e.sentence)
    return {c: len(seen) for c, seen in sentences.items()}


def _actor_summaries(sentences: Sequence[SentenceScore], names: Mapping[str, str],
                     evidence: Sequence[Evidence]) -> tuple[ActorSummary, ...]:
    """Per actor; `evidence` holds every hit of the sentences, in order."""
    ids = list(dict.fromkeys(a for s in sentences for a in s.actors))
    ids += [a for a in dict.fromkeys(e.hit.actor for e in evidence) if a and a not in ids]
    # One pass over the sentences and hits gathers each actor's.
    mine: dict[str, list[SentenceScore]] = {actor: [] for actor in ids}
    hits: dict[str, list[Evidence]] = {actor: [] for actor in ids}
    for s in sentences:
        for actor in s.actors:
            mine[actor].append(s)
    for e in evidence:
        found = hits.get(e.hit.actor)  # type: ignore[arg-type]
        if found is not None:
            found.append(e)
    out = []
    for actor in ids:
        own, found = mine[actor], hits[actor]
        counts = _sentence_counts(found)  # sentences, as for the article
        mean = sum(s.score for s in own) / len(own) if own else 0.0
        out.append(ActorSummary(actor, names.get(actor, actor), tuple(s.index for s in own), mean, counts,
                                _strongest(found, sentences, EVIDENCE_PER_ACTOR)))
    out.sort(key=lambda a: (-(len(a.sentences) + sum(a.signal_counts.values())), a.actor))
    return tuple(out)


def build_report(source: str, title: str, sentences: Sequence[SentenceScore], model: str,
                 actor_names: Mapping[str, str] | None = None) -> ArticleReport:
    """Summarise scored sentences into the article report."""
    stance = estimate([s.score for s in sentences], [max(s.probabilities) for s in sentences])
    every = [Evidence(s.index, h, s.text) for s in sentences for h in s.signals]
    counts = _sentence_counts(every)
    by_category: dict[str, list[Evidence]] = {}
    for e in every:
        by_category.setdefault(e.hit.category, []).append(e)
    evidence = {c: _strongest(by_category[c], sentences, EVIDENCE_PER_SIGNAL) for c in SIGNALS if c in by_category}
    return ArticleReport(source, title, tuple(sentences), stance, posture(stance.index, counts), counts, evidence,
                         _actor_summaries(sentences, actor_names or {}, every), model)
