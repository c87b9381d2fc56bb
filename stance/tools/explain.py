"""Why a sentence got its signals and score: the trail `stance explain` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..classifier import Classifier
from ..model.features import negated_categories
from ..rulebook.matcher import SignalHit, Suppressed
from ..report.article import SentenceScore
from ..text.tokens import tokenize

TOP_FEATURES = 8


@dataclass(frozen=True)
class Explanation:
    score: SentenceScore
    suppressed: tuple[Suppressed, ...]
    features: tuple[tuple[str, float], ...]

    @property
    def hits(self) -> tuple[SignalHit, ...]:
        return self.score.signals

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.score.to_dict(),
            "suppressed": [{**s.hit.to_dict(), "reason": s.reason} for s in self.suppressed],
            "features": [{"feature": f, "pull": round(p, 4)} for f, p in self.features],
        }


def explain(clf: Classifier, sentence: str, top: int = TOP_FEATURES) -> Explanation:
    score = clf.score_sentences([sentence])[0]
    toks = tokenize(sentence)
    result = clf.matcher.match(sentence, 0, toks)
    ids = clf.model.feature_ids(toks.keys, score.signals, negated_categories(result))
    suppressed = result.suppressed
    return Explanation(score, suppressed, tuple(clf.model.contributions(ids)[:top]))
