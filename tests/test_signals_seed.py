"""Rule hits against the seed article's labelled signals."""

from __future__ import annotations

import json

from stance.model.metrics import signal_metrics
from stance.rulebook.patterns import SIGNALS

from .conftest import seed_labels

# Acceptance bars on the seed labels, for every category present.
MIN_F1 = 0.8
MIN_PRECISION = 0.9
MIN_RECALL = 0.85


def test_signal_hits_agree_with_seed_labels(classifier):
    labels = seed_labels()
    scored = classifier.score_sentences([d["text"] for d in labels])
    gold = [set(d["signals"]) for d in labels]
    pred = [set(s.categories) for s in scored]
    metrics = signal_metrics(gold, pred)
    present = [c for c in SIGNALS if any(c in g for g in gold)]
    assert present == list(SIGNALS)
    for cat in present:
        m = metrics[cat]
        assert m["f1"] >= MIN_F1 and m["precision"] >= MIN_PRECISION and m["recall"] >= MIN_RECALL, (cat, m)


def test_evaluate_json_has_the_documented_keys():
    from .conftest import SEED_LABELS, run_cli

    proc = run_cli("evaluate", str(SEED_LABELS), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert 0 <= data["stance"]["macro_f1"] <= 1 and 0 <= data["stance"]["accuracy"] <= 1
    for cat in SIGNALS:
        assert set(data["signals"][cat]) >= {"precision", "recall", "f1"}
    assert data["worst_mistakes"] and data["stance"]["n"] == 45
    assert data["articles"] is None  # one document: no article-level line
    assert 0 <= data["neutral_share"]["predicted"] <= 1


def test_evaluate_prints_the_article_line_for_labels_in_documents(tmp_path):
    """Two documents, one labelled toward and one away: both directions and
    the ranking must come out of the stance index."""
    from .conftest import run_cli

    rows = [("warm/s00", "Minsk released three political prisoners and invited the envoy to talks.", 1),
            ("warm/s01", "Both sides agreed to restore dialogue and ease tensions.", 1),
            ("cold/s00", "Warsaw expelled two Belarusian diplomats and closed the border.", -1),
            ("cold/s01", "The government condemned the attack and imposed new sanctions.", -1)]
    labels = tmp_path / "docs.jsonl"
    labels.write_text("".join(json.dumps({"id": i, "text": t, "stance": s, "signals": []}) + "\n" for i, t, s in rows))
    data = json.loads(run_cli("evaluate", str(labels), "--format", "json").stdout)
    assert data["articles"] == {"articles": 2, "spearman": 1.0, "direction_agreement": 1.0, "direction_threshold": 0.1}
    text = run_cli("evaluate", str(labels)).stdout
    assert "articles: n=2" in text and "neutral share: predicted" in text
