"""The pure-Python metrics agree with scikit-learn's."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from stance.model.metrics import stance_metrics


def test_stance_metrics_match_sklearn():
    rng = random.Random(3)
    gold = [rng.choice((-1, 0, 1)) for _ in range(300)]
    pred = [g if rng.random() < 0.6 else rng.choice((-1, 0, 1)) for g in gold]
    ours = stance_metrics(gold, pred)
    assert ours["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro"), abs=1e-3)
    assert ours["accuracy"] == pytest.approx(accuracy_score(gold, pred), abs=1e-4)
    p, r, f, support = precision_recall_fscore_support(gold, pred, labels=[-1, 0, 1])
    for k, name in enumerate(("away", "neutral", "toward")):
        assert ours["per_class"][name]["precision"] == pytest.approx(p[k], abs=1e-4)
        assert ours["per_class"][name]["recall"] == pytest.approx(r[k], abs=1e-4)
        assert ours["per_class"][name]["support"] == support[k]
    assert ours["confusion"]["rows_gold_columns_predicted"] == confusion_matrix(gold, pred, labels=[-1, 0, 1]).tolist()


def test_calibration_error():
    from stance.model.metrics import calibration_error

    assert calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert calibration_error([0.95] * 4, [False] * 4) == pytest.approx(0.95)


def test_spearman_matches_scipy_with_ties():
    from scipy.stats import spearmanr

    from stance.model.metrics import spearman

    rng = random.Random(5)
    x = [rng.choice((-0.5, 0.0, 0.2, 0.7)) for _ in range(40)]
    y = [v + rng.choice((-0.3, 0.0, 0.3)) for v in x]
    assert spearman(x, y) == pytest.approx(spearmanr(x, y).statistic, abs=1e-9)
    assert spearman([1.0, 1.0], [0.0, 1.0]) == 0.0


def test_article_direction_agreement():
    from stance.model.metrics import article_metrics

    m = article_metrics([0.5, -0.05, -0.4, 0.3], [0.8, 0.0, -1.0, -0.2], 0.1)
    assert m["articles"] == 4 and m["direction_agreement"] == 0.75
