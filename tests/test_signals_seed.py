"""Rule hits against the seed article's labelled signals."""

from __future__ import annotations

from stance.metrics import signal_metrics
from stance.patterns import SIGNALS

from .conftest import seed_labels

# Issue acceptance: F1 >= 0.8 for every category present in the seed labels.
MIN_F1 = 0.8


def test_signal_hits_agree_with_seed_labels(classifier):
    labels = seed_labels()
    scored = classifier.score_sentences([d["text"] for d in labels])
    gold = [set(d["signals"]) for d in labels]
    pred = [set(s.categories) for s in scored]
    metrics = signal_metrics(gold, pred)
    present = [c for c in SIGNALS if any(c in g for g in gold)]
    assert present == list(SIGNALS)
    for cat in present:
        assert metrics[cat]["f1"] >= MIN_F1, (cat, metrics[cat])
