"""Training the stance model on labelled sentences (needs scikit-learn).

Labels are validated first; grouped cross-validation keeps each document's
sentences in one fold, so the figures say how the model does on unseen
articles, not on unseen sentences of seen articles.
"""

from __future__ import annotations

import platform
from fnmatch import fnmatch
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..model.features import (ARTICLE_SHARE, NEGATED_SIGNAL, NEGATION_REACH, SIGNAL, article_context, negated_categories,
                       sentence_features)
from ..errors import LabelError, Problem
from ..model.labels import LabelledSentence, LabelSet
from ..rulebook.matcher import Matcher
from ..model.metrics import calibration_error, stance_metrics
from ..model.linear import CLASSES, HEAD_OFF, StanceModel, sigmoid
from ..rulebook.patterns import SIGNALS
from ..rulebook.loading import Rulebook
from ..text.tokens import tokenize

# Inverse regularisation strength: 4.0 scored best of {1, 2, 4} in grouped
# cross-validation on seeds/labels (see models/README.md).
C = 4.0
MAX_ITER = 2000
DEFAULT_FOLDS = 5
# Signal heads: regularisation, candidate thresholds, and the out-of-fold F1
# a head must add to its category's rules to be switched on.
SIGNAL_C = 4.0
HEAD_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_HEAD_GAIN = 0.005
# Candidate offsets for the neutral logit (see choose_neutral_offset).
NEUTRAL_OFFSETS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
SEED = 13


@dataclass(frozen=True)
class TrainResult:
    model: StanceModel
    card: dict[str, Any]
    cv: dict[str, Any] | None


def _features(sentences: Sequence[LabelledSentence], matcher: Matcher) -> list[list[str]]:
    """Feature names of each sentence, read in its document (labels are given in article order)."""
    matched = []
    for s in sentences:
        toks = tokenize(s.text)
        matched.append((toks.keys, matcher.match(s.text, 0, toks)))
    context = article_context([frozenset(h.category for h in r.hits) for _, r in matched],
                              [s.document for s in sentences])
    return [sentence_features(keys, r.hits, negated_categories(r), ctx) for (keys, r), ctx in zip(matched, context)]


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = TfidfVectorizer(analyzer=_identity, binary=True, norm="l2", use_idf=True, smooth_idf=True)
    classifier = LogisticRegression(C=C, max_iter=MAX_ITER, class_weight="balanced")
    return make_pipeline(vectorizer, classifier)


def _identity(features: list[str]) -> list[str]:
    return features


def _fit_stance(feats: list[list[str]], y: np.ndarray, weight: np.ndarray | None) -> Any:
    return _pipeline().fit(feats, y, logisticregression__sample_weight=weight)


def _fit_heads(X: Any, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One logistic head per signal category on tf-idf rows `X`; `present`
    (n, len(SIGNALS)) says which categories each sentence's labels carry.
    A category no sentence (or every sentence) carries gets a head that never fires."""
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((len(SIGNALS), X.shape[1]))
    intercept = np.full(len(SIGNALS), -30.0)
    for k in range(len(SIGNALS)):
        if 0 < present[:, k].sum() < len(present):
            head = LogisticRegression(C=SIGNAL_C, max_iter=MAX_ITER, class_weight="balanced").fit(X, present[:, k])
            coef[k], intercept[k] = head.coef_[0], head.intercept_[0]
    return coef, intercept


def cross_validate(feats: list[list[str]], y: np.ndarray, groups: list[str], folds: int,
                   progress: Callable[[str], None] | None = None,
                   present: np.ndarray | None = None,
                   weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Grouped, stratified K-fold: class probabilities (CLASSES order) and,
    given `present`, signal-head probabilities for every sentence, each from
    a model that never saw its document. `weight` weighs each sentence in
    the stance classifier's fit."""
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    proba = np.zeros((len(y), len(CLASSES)))
    heads = np.zeros((len(y), len(SIGNALS)))
    for k, (train_idx, test_idx) in enumerate(splitter.split(feats, y, groups), start=1):
        pipe = _fit_stance([feats[i] for i in train_idx], y[train_idx], None if weight is None else weight[train_idx])
        order = [list(pipe.classes_).index(c) for c in CLASSES]
        test_feats = [feats[i] for i in test_idx]
        proba[test_idx] = pipe.predict_proba(test_feats)[:, order]
        if present is not None:
            vectorizer = pipe.steps[0][1]
            coef, intercept = _fit_heads(vectorizer.transform([feats[i] for i in train_idx]), present[train_idx])
            heads[test_idx] = sigmoid(vectorizer.transform(test_feats) @ coef.T + intercept)
        if progress:
            progress(f"fold {k}/{folds} done")
    return proba, heads


def _f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = int((pred & gold).sum())
    return 2 * tp / (int(pred.sum()) + int(gold.sum())) if tp else 0.0


def choose_signal_thresholds(heads: np.ndarray, ruled: np.ndarray, negated: np.ndarray,
                             present: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Per category, the head threshold that maximises out-of-fold F1 of
    "a rule fired, or the head fired where no rule of the category was
    negated"; a head that does not beat the rules alone by MIN_HEAD_GAIN is
    switched off (HEAD_OFF). Returns the thresholds and what was measured."""
    thresholds = np.full(len(SIGNALS), HEAD_OFF)
    report: dict[str, Any] = {}
    for k, category in enumerate(SIGNALS):
        gold, rules = present[:, k], ruled[:, k]
        alone = _f1(rules, gold)
        scored = [(_f1(rules | ((heads[:, k] >= t) & ~negated[:, k]), gold), t) for t in HEAD_THRESHOLDS]
        best, t = max(scored, key=lambda x: (x[0], x[1]))
        on = best >= alone + MIN_HEAD_GAIN
        if on:
            thresholds[k] = t
        report[category] = {"f1_rules": round(alone, 4), "f1_rules_and_head": round(best if on else alone, 4),
                            "threshold": t if on else None}
    return thresholds, report


def _shift(proba: np.ndarray, neutral_offset: float) -> np.ndarray:
    """Probabilities after adding `neutral_offset` to the neutral logit (as the exported model does)."""
    logits = np.log(proba + 1e-12)
    logits[:, CLASSES.index(0)] += neutral_offset
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def _predict(proba: np.ndarray, neutral_offset: float) -> list[int]:
    return [CLASSES[k] for k in _shift(proba, neutral_offset).argmax(axis=1)]


def offset_scores(proba: np.ndarray, y: np.ndarray) -> dict[float, float]:
    """Out-of-fold macro-F1 at each candidate neutral offset."""
    return {o: stance_metrics(y.tolist(), _predict(proba, o))["macro_f1"] for o in NEUTRAL_OFFSETS}


def choose_neutral_offset(scores: Mapping[float, float]) -> float:
    """The offset added to the neutral logit that maximises out-of-fold
    macro-F1 (`scores`, from `offset_scores`).

    Balanced class weights make the model slow to say "neutral", the class
    background and procedure sentences need; one scalar chosen on held-out
    folds moves that boundary (smallest offset wins ties).
    """
    return max((f1, -o, o) for o, f1 in scores.items())[2]


def _per_file(sentences: Sequence[LabelledSentence], y: np.ndarray, predicted: list[int]) -> dict[str, Any]:
    """Out-of-fold macro-F1 and accuracy of each label file on its own."""
    rows: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        rows.setdefault(Path(s.path).name, []).append(i)
    return {name: {k: v for k, v in stance_metrics(y[idx].tolist(), [predicted[i] for i in idx]).items()
                   if k in ("n", "macro_f1", "accuracy")}
            for name, idx in sorted(rows.items())}


def tuning_files(paths: Sequence[Path], patterns: Sequence[str]) -> list[str]:
    """Names of the label files that match any of the shell-style `patterns`
    (by file name or path); a pattern that matches none is an error."""
    problems = [Problem(pat, 0, 0, "--tune-on matches none of the training files",
                        "give a pattern such as 'reporting-*' that names some of them")
                for pat in patterns if not _matching(paths, pat)]
    if problems:
        raise LabelError(problems, "--tune-on")
    return sorted({name for pat in patterns for name in _matching(paths, pat)})


def _matching(paths: Sequence[Path], pattern: str) -> list[str]:
    """Names of the files that a shell-style pattern matches by file name or path."""
    return [p.name for p in paths if fnmatch(p.name, pattern) or fnmatch(str(p), pattern)]


def file_weights(paths: Sequence[Path], specs: Sequence[str]) -> dict[str, float]:
    """Weights of label files from `PATTERN=WEIGHT` specs (shell-style
    patterns, as `tuning_files`); a later spec overrides an earlier one for
    the files both match, as in .gitignore. Files no spec names are absent
    (weight 1)."""
    weights: dict[str, float] = {}
    problems = []
    for spec in specs:
        pattern, sep, value = spec.rpartition("=")
        try:
            weight = float(value) if sep else -1.0
        except ValueError:
            weight = -1.0
        if not pattern or not weight > 0 or weight == float("inf"):
            problems.append(Problem(spec, 0, 0, "--weight must be PATTERN=WEIGHT with a positive number",
                                    "for example --weight 'reporting-*=2'"))
            continue
        matched = _matching(paths, pattern)
        if not matched:
            problems.append(Problem(spec, 0, 0, "--weight matches none of the training files",
                                    "give a pattern that names some of them"))
        weights.update(dict.fromkeys(matched, weight))
    if problems:
        raise LabelError(problems, "--weight")
    return dict(sorted(weights.items()))


def _unknown_files(names: set[str], given: Sequence[str], option: str) -> None:
    unknown = sorted(set(given) - names)
    if unknown:
        raise LabelError([Problem(u, 0, 0, f"{option} names a file that is not among the training files",
                                  "name one of the label files given to train") for u in unknown], option)


def train(labels: LabelSet, rulebook: Rulebook, folds: int = DEFAULT_FOLDS,
          progress: Callable[[str], None] | None = None, tune_on: Sequence[str] = (),
          weights: Mapping[str, float] | None = None, neutral_offset: float | None = None) -> TrainResult:
    """Fit the model on all labels, after grouped cross-validation when `folds` > 1.

    `tune_on` names label files (by file name) whose out-of-fold predictions
    alone choose the neutral offset: the files most like the text the model
    will score, so the offset is not set by sentences written to the guide.
    `weights` maps file names to the weight of their sentences in the stance
    classifier (default 1), so files written to the guide can count less
    than files built like reporting. `neutral_offset`, when given, is used
    as it is instead of being chosen: where two offsets score within a hair
    of each other, any rule edit can flip the choice and move every figure,
    so a fixed offset keeps retrains comparable.
    """
    sentences = labels.sentences
    weights = dict(weights or {})
    names = {Path(s.path).name for s in sentences}
    _unknown_files(names, tune_on, "--tune-on")
    _unknown_files(names, list(weights), "--weight")
    weight = np.array([weights.get(Path(s.path).name, 1.0) for s in sentences]) if weights else None
    matcher = Matcher(rulebook)
    feats = _features(sentences, matcher)
    y = np.array([s.stance for s in sentences])
    groups = [s.document for s in sentences]
    n_docs = len(set(groups))
    cv: dict[str, Any] | None = None
    offset = neutral_offset if neutral_offset is not None else 0.0
    present = np.array([[c in s.signals for c in SIGNALS] for s in sentences], dtype=bool).reshape(-1, len(SIGNALS))
    thresholds = np.full(len(SIGNALS), HEAD_OFF)
    heads_report: dict[str, Any] | str = "off: no cross-validation to choose thresholds on"
    if min(folds, n_docs) > 1:
        folds = min(folds, n_docs)
        proba, heads = cross_validate(feats, y, groups, folds, progress, present, weight)
        tuning = [i for i, s in enumerate(sentences) if not tune_on or Path(s.path).name in tune_on]
        scores = offset_scores(proba[tuning], y[tuning])
        if neutral_offset is None:
            offset = choose_neutral_offset(scores)
        ruled = np.array([[SIGNAL + c in f for c in SIGNALS] for f in feats], dtype=bool).reshape(-1, len(SIGNALS))
        negated = np.array([[NEGATED_SIGNAL + c in f for c in SIGNALS] for f in feats],
                           dtype=bool).reshape(-1, len(SIGNALS))
        thresholds, heads_report = choose_signal_thresholds(heads[tuning], ruled[tuning], negated[tuning],
                                                            present[tuning])
        shifted = _shift(proba, offset)
        predicted = [CLASSES[k] for k in shifted.argmax(axis=1)]
        cv = {"folds": folds, "grouped_by": "document", "neutral_offset": offset,
              "neutral_offset_fixed": neutral_offset is not None,
              "neutral_offset_tuned_on": sorted(tune_on) or "all files",
              "offset_scores_on_tuning_files": {f"{o:g}": round(f1, 4) for o, f1 in scores.items()},
              **stance_metrics(y.tolist(), predicted),
              "by_file": _per_file(sentences, y, predicted),
              "calibration_error": calibration_error(shifted.max(axis=1).tolist(),
                                                     [p == t for p, t in zip(predicted, y.tolist())]),
              "without_offset": {k: v for k, v in stance_metrics(y.tolist(), _predict(proba, 0.0)).items()
                                 if k in ("macro_f1", "accuracy")},
              "signal_heads": heads_report}
    pipe = _fit_stance(feats, y, weight)
    vectorizer, classifier = pipe.steps[0][1], pipe.steps[1][1]
    order = [list(classifier.classes_).index(c) for c in CLASSES]
    intercept = classifier.intercept_[order].astype(np.float64)
    intercept[CLASSES.index(0)] += offset
    signal_coef, signal_intercept = _fit_heads(vectorizer.transform(feats), present)
    model = StanceModel(
        vocabulary={k: int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float64),
        coef=classifier.coef_[order].astype(np.float64),
        intercept=intercept,
        signal_coef=signal_coef, signal_intercept=signal_intercept, signal_threshold=thresholds,
    )
    counts = Counter(s.stance for s in sentences)
    card = {
        "stance_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sklearn_version": version("scikit-learn"),
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "labels": {
            "files": [Path(f).name for f in labels.files],
            "sha256": labels.sha256,
            "sentences": len(sentences),
            "documents": n_docs,
            "stance_counts": {str(c): counts.get(c, 0) for c in CLASSES},
        },
        "rules_sha256": rulebook.digest,
        "features": {"word_keys": "snowball stems", "key_ngrams": [1, 2], "negation_reach": NEGATION_REACH,
                     "rule_hits": True, "negated_rule_hits": True,
                     "hit_counts_and_pairs": True,
                     "article_context": {"neighbours": True, "article_share": ARTICLE_SHARE, "headline": True}, "n_features": len(model.vocabulary)},
        "classifier": {"type": "LogisticRegression", "C": C, "class_weight": "balanced",
                       "neutral_offset": offset, "neutral_offset_fixed": neutral_offset is not None,
                       "neutral_offset_tuned_on": sorted(tune_on),
                       "file_weights": weights},
        "signal_heads": {"type": "LogisticRegression per category", "C": SIGNAL_C, "class_weight": "balanced",
                         "thresholds": {c: (None if t > 1 else float(t)) for c, t in zip(SIGNALS, thresholds)},
                         "tuned_on": sorted(tune_on) or "all files"},
        "metrics": {"cross_validation": cv},
    }
    return TrainResult(model, card, cv)
