"""Evaluating rules and model against labelled sentences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..classifier import Classifier
from ..model.labels import LabelledSentence
from ..model.metrics import article_metrics, macro_f1_change, macro_f1_interval, signal_metrics, stance_metrics
from ..report.posture import DIRECTION_THRESHOLD, estimate
from ..report.article import SentenceScore

WORST_MISTAKES = 10


def evaluate(clf: Classifier, sentences: Sequence[LabelledSentence], worst: int = WORST_MISTAKES,
             against: Classifier | None = None) -> dict[str, Any]:
    """Stance and signal metrics, and the mistakes the model was surest of;
    given `against` (say, the model before a retrain), the change in stance
    macro-F1 from it to `clf`, with a paired interval."""
    texts, documents = [s.text for s in sentences], [s.document for s in sentences]
    # sentences of one document are read together, as a report reads an article
    scored = clf.score_sentences(texts, documents)
    gold_stance = [s.stance for s in sentences]
    pred_stance = [s.stance for s in scored]
    change = None
    if against is not None:
        baseline = [p.stance for p in against.score_sentences(texts, documents)]
        change = {"model": against.model.path, **macro_f1_change(gold_stance, pred_stance, baseline, documents)}
    mistakes: list[dict[str, Any]] = [
        {"id": s.id, "text": s.text, "gold": s.stance, "predicted": p.stance, "score": round(p.score, 4),
         "missed_signals": sorted(set(s.signals) - set(p.categories)),
         "extra_signals": sorted(set(p.categories) - set(s.signals))}
        for s, p in zip(sentences, scored) if s.stance != p.stance
    ]
    mistakes.sort(key=lambda m: -abs(m["gold"] - m["score"]))
    pred_share = sum(1 for p in pred_stance if p == 0) / len(pred_stance) if pred_stance else 0.0
    gold_share = sum(1 for g in gold_stance if g == 0) / len(gold_stance) if gold_stance else 0.0
    return {
        "model": clf.model.path,
        "stance": stance_metrics(gold_stance, pred_stance),
        "stance_interval": macro_f1_interval(gold_stance, pred_stance, documents),
        "against": change,
        "neutral_share": {"predicted": round(pred_share, 4), "labelled": round(gold_share, 4)},
        "signals": signal_metrics([set(s.signals) for s in sentences], [set(p.categories) for p in scored]),
        "articles": _articles(sentences, scored),
        "worst_mistakes": mistakes[:worst],
    }


def _articles(sentences: Sequence[LabelledSentence], scored: Sequence[SentenceScore]) -> dict[str, Any] | None:
    """Article-level agreement when the labels group into two or more
    documents (ids `doc/sNN`): each document's stance index, computed as a
    report computes it, against the mean of its labelled stances."""
    documents: dict[str, list[tuple[LabelledSentence, SentenceScore]]] = {}
    for s, p in zip(sentences, scored, strict=True):
        if "/" in s.id:
            documents.setdefault(s.document, []).append((s, p))
    if len(documents) < 2:
        return None
    predicted, labelled = [], []
    for pairs in documents.values():
        predicted.append(estimate([p.score for _, p in pairs], [max(p.probabilities) for _, p in pairs]).index)
        labelled.append(sum(s.stance for s, _ in pairs) / len(pairs))
    return article_metrics(predicted, labelled, DIRECTION_THRESHOLD)
