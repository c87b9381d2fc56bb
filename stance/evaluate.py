"""Evaluating rules and model against labelled sentences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .classifier import Classifier
from .labels import LabelledSentence
from .metrics import signal_metrics, stance_metrics

WORST_MISTAKES = 10


def evaluate(clf: Classifier, sentences: Sequence[LabelledSentence], worst: int = WORST_MISTAKES) -> dict[str, Any]:
    """Stance and signal metrics, and the mistakes the model was surest of."""
    scored = clf.score_sentences([s.text for s in sentences])
    gold_stance = [s.stance for s in sentences]
    pred_stance = [s.stance for s in scored]
    mistakes = [
        {"id": s.id, "text": s.text, "gold": s.stance, "predicted": p.stance, "score": round(p.score, 4),
         "missed_signals": sorted(set(s.signals) - set(p.categories)),
         "extra_signals": sorted(set(p.categories) - set(s.signals))}
        for s, p in zip(sentences, scored) if s.stance != p.stance
    ]
    mistakes.sort(key=lambda m: -abs(m["gold"] - m["score"]))
    return {
        "model": clf.model.path,
        "stance": stance_metrics(gold_stance, pred_stance),
        "signals": signal_metrics([set(s.signals) for s in sentences], [set(p.categories) for p in scored]),
        "worst_mistakes": mistakes[:worst],
    }
