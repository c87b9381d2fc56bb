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


def test_macro_f1_interval_resamples_whole_documents():
    import numpy as np

    from stance.model.metrics import bootstrap_draws, macro_f1_interval

    rng = random.Random(7)
    groups = [f"d{i // 12}" for i in range(240)]  # 20 documents of 12 sentences
    gold = [rng.choice((-1, 0, 1)) for _ in groups]
    pred = [g if rng.random() < 0.7 else rng.choice((-1, 0, 1)) for g in gold]
    m = macro_f1_interval(gold, pred, groups, resamples=200, seed=4)
    # the same interval, each resample rebuilt sentence by sentence and scored by stance_metrics
    names = list(dict.fromkeys(groups))
    slow = []
    for draw in bootstrap_draws(len(names), 200, seed=4):
        taken = [i for d in draw for i, g in enumerate(groups) if g == names[d]]
        slow.append(f1_score([gold[i] for i in taken], [pred[i] for i in taken], average="macro", labels=[-1, 0, 1]))
    assert (m["low"], m["high"]) == pytest.approx(tuple(np.percentile(slow, [2.5, 97.5])), abs=1e-4)
    assert m["low"] < stance_metrics(gold, pred)["macro_f1"] < m["high"] and m["groups"] == 20
    # perfect predictions stay perfect in every resample
    assert macro_f1_interval(gold, gold, groups, resamples=50) == {
        "low": 1.0, "high": 1.0, "level": 0.95, "resamples": 50, "groups": 20}


def test_macro_f1_change_is_paired():
    from stance.model.metrics import macro_f1_change, macro_f1_interval

    rng = random.Random(11)
    groups = [f"d{i // 10}" for i in range(300)]
    gold = [rng.choice((-1, 0, 1)) for _ in groups]
    old = [g if rng.random() < 0.6 else rng.choice((-1, 0, 1)) for g in gold]
    new = [g if rng.random() < 0.5 else o for g, o in zip(gold, old)]  # the old model, half its errors fixed
    m = macro_f1_change(gold, new, old, groups)
    assert m["change"] == pytest.approx(stance_metrics(gold, new)["macro_f1"] - stance_metrics(gold, old)["macro_f1"],
                                        abs=1e-4)
    assert 0 < m["low"] <= m["change"] <= m["high"]  # clearly better
    alone = macro_f1_interval(gold, new, groups)
    assert m["high"] - m["low"] < alone["high"] - alone["low"]  # pairing cancels what the two share
    same = macro_f1_change(gold, old, old, groups)
    assert (same["change"], same["low"], same["high"]) == (0, 0, 0)
