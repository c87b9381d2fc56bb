"""Scores for stance labels and signal sets, as plain dictionaries.

Plain Python and numpy, so `stance evaluate` needs no scikit-learn import;
the tests check these against `sklearn.metrics` on the same inputs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from ..model.linear import CLASS_NAMES, CLASSES
from ..rulebook.patterns import SIGNALS


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def stance_metrics(gold: Sequence[int], pred: Sequence[int]) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class scores and confusion matrix (rows gold)."""
    index = {c: i for i, c in enumerate(CLASSES)}
    matrix = [[0] * len(CLASSES) for _ in CLASSES]
    for g, p in zip(gold, pred, strict=True):
        matrix[index[g]][index[p]] += 1
    per_class = {}
    for i, name in enumerate(CLASS_NAMES):
        tp = matrix[i][i]
        fp = sum(matrix[r][i] for r in range(len(CLASSES))) - tp
        fn = sum(matrix[i]) - tp
        per_class[name] = _prf(tp, fp, fn)
    n = len(gold)
    return {
        "n": n,
        "macro_f1": round(sum(c["f1"] for c in per_class.values()) / len(per_class), 4),
        "accuracy": round(sum(matrix[i][i] for i in range(len(CLASSES))) / n, 4) if n else 0.0,
        "per_class": per_class,
        "confusion": {"labels": list(CLASS_NAMES), "rows_gold_columns_predicted": matrix},
    }


def signal_metrics(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> dict[str, dict[str, float]]:
    """Per-category precision/recall/F1 of predicted signal sets per sentence."""
    out = {}
    for cat in SIGNALS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if cat in g and cat in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if cat not in g and cat in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if cat in g and cat not in p)
        out[cat] = _prf(tp, fp, fn)
    return out


BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_LEVEL = 0.95


def bootstrap_draws(n_groups: int, resamples: int, seed: int = 0) -> np.ndarray:
    """Group indices of each bootstrap resample, (resamples, n_groups), drawn with replacement."""
    return np.random.default_rng(seed).integers(0, n_groups, size=(resamples, n_groups))


def _times_taken(n_groups: int, resamples: int, seed: int) -> np.ndarray:
    """How often each resample of `bootstrap_draws` takes each group, (resamples, n_groups)."""
    draws = bootstrap_draws(n_groups, resamples, seed)
    taken = np.zeros((resamples, n_groups))
    np.add.at(taken, (np.repeat(np.arange(resamples), n_groups), draws.ravel()), 1)
    return taken


def _resampled_macro_f1(gold: Sequence[int], pred: Sequence[int], groups: Sequence[Hashable],
                        taken: np.ndarray) -> np.ndarray:
    """Stance macro-F1 of each resample, `taken` from `_times_taken` (groups
    numbered in order of first appearance)."""
    index = {c: i for i, c in enumerate(CLASSES)}
    of_group = {g: i for i, g in enumerate(dict.fromkeys(groups))}
    k = len(CLASSES)
    cells = np.zeros((len(of_group), k * k))  # each group's confusion matrix, flattened (rows gold)
    for g, p, grp in zip(gold, pred, groups, strict=True):
        cells[of_group[grp], index[g] * k + index[p]] += 1
    confusion = (taken @ cells).reshape(len(taken), k, k)
    tp = np.diagonal(confusion, axis1=1, axis2=2)
    denominator = confusion.sum(axis=1) + confusion.sum(axis=2)  # 2tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return f1.mean(axis=1)


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    low, high = np.percentile(values, [50 * (1 - level), 50 * (1 + level)])
    return round(float(low), 4), round(float(high), 4)


def macro_f1_interval(gold: Sequence[int], pred: Sequence[int], groups: Sequence[Hashable],
                      resamples: int = BOOTSTRAP_RESAMPLES, level: float = BOOTSTRAP_LEVEL,
                      seed: int = 0) -> dict[str, Any] | None:
    """Where stance macro-F1 could fall on another sample of as many
    documents: the percentile interval of a bootstrap that resamples whole
    groups (an article's sentences were written, and are scored, together,
    so resampling sentences alone would claim too narrow an interval). It
    says how much one figure on a small set can be trusted; whether one
    model beats another on the same set is `macro_f1_change`. None for
    fewer than two groups, which leave nothing to resample."""
    n_groups = len(set(groups))
    if n_groups < 2:
        return None
    low, high = _percentiles(_resampled_macro_f1(gold, pred, groups, _times_taken(n_groups, resamples, seed)), level)
    return {"low": low, "high": high, "level": level, "resamples": resamples, "groups": n_groups}


def macro_f1_change(gold: Sequence[int], pred: Sequence[int], baseline: Sequence[int], groups: Sequence[Hashable],
                    resamples: int = BOOTSTRAP_RESAMPLES, level: float = BOOTSTRAP_LEVEL,
                    seed: int = 0) -> dict[str, Any]:
    """Macro-F1 of `pred` minus that of `baseline` on the same labels, with a
    paired bootstrap interval of the change (both scored on the same
    resampled documents, so what the two models share cancels out: far
    narrower than either model's own interval)."""
    n_groups = len(set(groups))
    taken = _times_taken(n_groups, resamples, seed)  # the same resamples for both
    change = _resampled_macro_f1(gold, pred, groups, taken) - _resampled_macro_f1(gold, baseline, groups, taken)
    before, after = stance_metrics(gold, baseline)["macro_f1"], stance_metrics(gold, pred)["macro_f1"]
    low, high = _percentiles(change, level)
    return {"before": before, "after": after, "change": round(after - before, 4), "low": low, "high": high,
            "level": level, "resamples": resamples, "groups": n_groups}


CALIBRATION_BINS = 10


def calibration_error(top_probability: Sequence[float], correct: Sequence[bool]) -> float:
    """Expected calibration error of the top-class probability (equal-width bins).

    How far, on average, the model's confidence is from how often it is
    right: the abstention threshold assumes the two are close.
    """
    n = len(top_probability)
    if n == 0:
        return 0.0
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(CALIBRATION_BINS)]
    for p, ok in zip(top_probability, correct, strict=True):
        bins[min(int(p * CALIBRATION_BINS), CALIBRATION_BINS - 1)].append((p, ok))
    error = 0.0
    for b in bins:
        if b:
            confidence = sum(p for p, _ in b) / len(b)
            accuracy = sum(1 for _, ok in b if ok) / len(b)
            error += len(b) / n * abs(confidence - accuracy)
    return round(error, 4)


def _ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank (as Spearman's rho needs)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in order[i:j + 1]:
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation; 0.0 when either side is constant."""
    rx, ry = _ranks(x), _ranks(y)
    n = len(rx)
    if n < 2:
        return 0.0
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else 0.0


def direction(value: float, threshold: float) -> int:
    """+1, -1 or 0: which side of +-threshold a value lies on."""
    return 1 if value >= threshold else -1 if value <= -threshold else 0


def article_metrics(predicted_index: Sequence[float], labelled_mean: Sequence[float],
                    threshold: float) -> dict[str, Any]:
    """How well articles are ranked and pointed: Spearman between each
    article's stance index and its mean labelled stance, and the share of
    articles whose direction (+/-/0 at `threshold`) agrees."""
    n = len(predicted_index)
    agree = sum(direction(p, threshold) == direction(g, threshold)
                for p, g in zip(predicted_index, labelled_mean, strict=True))
    return {"articles": n, "spearman": round(spearman(predicted_index, labelled_mean), 4),
            "direction_agreement": round(agree / n, 4) if n else 0.0, "direction_threshold": threshold}
