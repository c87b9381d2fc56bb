"""Training the stance model on labelled sentences (needs scikit-learn).

Labels are validated first; grouped cross-validation keeps each document's
sentences in one fold, so the figures say how the model does on unseen
articles, not on unseen sentences of seen articles.
"""

from __future__ import annotations

import platform
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .features import NEGATION_REACH, sentence_features
from .labels import LabelledSentence, LabelSet
from .matcher import Matcher
from .metrics import stance_metrics
from .model import CLASSES, StanceModel
from .rulebook import Rulebook
from .tokens import tokenize

# Inverse regularisation strength: 4.0 scored best of {1, 2, 4} in grouped
# cross-validation on seeds/labels (see models/README.md).
C = 4.0
MAX_ITER = 2000
DEFAULT_FOLDS = 5
SEED = 13


@dataclass(frozen=True)
class TrainResult:
    model: StanceModel
    card: dict[str, Any]
    cv: dict[str, Any] | None


def _features(sentences: Sequence[LabelledSentence], matcher: Matcher) -> list[list[str]]:
    out = []
    for s in sentences:
        toks = tokenize(s.text)
        out.append(sentence_features(toks.keys, matcher.match(s.text, 0, toks).hits))
    return out


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectorizer = TfidfVectorizer(analyzer=_identity, binary=True, norm="l2", use_idf=True, smooth_idf=True)
    classifier = LogisticRegression(C=C, max_iter=MAX_ITER, class_weight="balanced")
    return make_pipeline(vectorizer, classifier)


def _identity(features: list[str]) -> list[str]:
    return features


def cross_validate(feats: list[list[str]], y: np.ndarray, groups: list[str], folds: int,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Grouped, stratified K-fold: predictions for every sentence from a model that never saw its document."""
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    pred = np.zeros_like(y)
    for k, (train_idx, test_idx) in enumerate(splitter.split(feats, y, groups), start=1):
        pipe = _pipeline().fit([feats[i] for i in train_idx], y[train_idx])
        pred[test_idx] = pipe.predict([feats[i] for i in test_idx])
        if progress:
            progress(f"fold {k}/{folds} done")
    return {"folds": folds, "grouped_by": "document", **stance_metrics(y.tolist(), pred.tolist())}


def train(labels: LabelSet, rulebook: Rulebook, folds: int = DEFAULT_FOLDS,
          progress: Callable[[str], None] | None = None) -> TrainResult:
    """Fit the model on all labels, after grouped cross-validation when `folds` > 1."""
    sentences = labels.sentences
    matcher = Matcher(rulebook)
    feats = _features(sentences, matcher)
    y = np.array([s.stance for s in sentences])
    groups = [s.document for s in sentences]
    n_docs = len(set(groups))
    cv = None
    if folds > 1:
        if n_docs < folds:
            folds = n_docs
        if folds > 1:
            cv = cross_validate(feats, y, groups, folds, progress)
    pipe = _pipeline().fit(feats, y)
    vectorizer, classifier = pipe.steps[0][1], pipe.steps[1][1]
    order = [list(classifier.classes_).index(c) for c in CLASSES]
    model = StanceModel(
        vocabulary={k: int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float64),
        coef=classifier.coef_[order].astype(np.float64),
        intercept=classifier.intercept_[order].astype(np.float64),
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
                     "rule_hits": True, "n_features": len(model.vocabulary)},
        "classifier": {"type": "LogisticRegression", "C": C, "class_weight": "balanced"},
        "metrics": {"cross_validation": cv},
    }
    return TrainResult(model, card, cv)
