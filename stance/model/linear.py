"""The stance model: a linear classifier over sparse features, stored safely.

Training uses scikit-learn (`train.py`); the fitted vocabulary, idf weights
and coefficients are exported to a plain `.npz` file that loads with
`allow_pickle=False`. So a model file cannot run code when loaded, loading
does not import scikit-learn (fast start-up), and scoring is a few numpy
operations equal to the fitted pipeline's `predict_proba` (tested).

Format "stance-linear/3" is built to load fast: stored uncompressed (no
inflating), the feature names as one UTF-8 blob, one name a line (names
hold no line breaks: keys are words, rule ids and categories have none),
rather than a fixed-width unicode array, and the scorer's word-feature
tables (`features.KeyTables`) saved with the names they come from, so
loading builds one dictionary instead of walking the names. Files of the
earlier "stance-linear/2" (compressed, names as a unicode array) still load.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..model.features import FeatureLookup, KeyTables, blob_lines, lines_blob
from ..rulebook.matcher import SignalHit
from ..rulebook.patterns import SIGNALS

MODEL_FORMAT = "stance-linear/3"
# What `load_model` reads: the current format and the one before it.
OLD_MODEL_FORMAT = "stance-linear/2"
READABLE_FORMATS = (OLD_MODEL_FORMAT, MODEL_FORMAT)
CLASSES = (-1, 0, 1)
CLASS_NAMES = ("away", "neutral", "toward")
# A signal head whose threshold is above 1 never fires: training found it
# added nothing to the rules for that category.
HEAD_OFF = 2.0


def sigmoid(z: np.ndarray) -> np.ndarray:
    """A signal head's probability from its logit (as scikit-learn's binary LogisticRegression)."""
    return 1.0 / (1.0 + np.exp(-z))


def card_path(model_path: Path) -> Path:
    """The card that travels with a model file: `x.npz` -> `x.card.json`."""
    return model_path.with_name(model_path.name.removesuffix(".npz") + ".card.json")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class SentenceModelScores:
    """The model's outputs for many sentences, and the feature columns they came from."""

    probabilities: np.ndarray  # (n, 3): away, neutral, toward
    heads: np.ndarray  # (n, len(SIGNALS)): each signal head's probability
    owner: np.ndarray  # (sentence, column) pairs, sorted by sentence
    cols: np.ndarray

    def ids(self, row: int) -> np.ndarray:
        """The feature columns of one sentence."""
        lo, hi = np.searchsorted(self.owner, [row, row + 1])
        return self.cols[lo:hi]


@dataclass
class StanceModel:
    """Vocabulary, idf and coefficients of a fitted tf-idf + logistic model,
    and one logistic head per signal category over the same features (see
    `learned.py`)."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (3, n_features), rows in CLASSES order
    intercept: np.ndarray  # (3,)
    signal_coef: np.ndarray  # (len(SIGNALS), n_features)
    signal_intercept: np.ndarray  # (len(SIGNALS),)
    signal_threshold: np.ndarray  # (len(SIGNALS),): a head fires at or above it
    card: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    _lookup: FeatureLookup | None = field(default=None, repr=False)
    _weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    _is_word: np.ndarray | None = field(default=None, repr=False, compare=False)

    def feature_ids(self, keys: Sequence[str], hits: Sequence[SignalHit], negated: Sequence[str] = (),
                    context: Sequence[str] = ()) -> list[int]:
        """Distinct feature columns present in one sentence (binary features)."""
        return self.lookup.ids(keys, hits, negated, context)

    @property
    def lookup(self) -> FeatureLookup:
        if self._lookup is None:
            self._lookup = FeatureLookup(self.vocabulary)
        return self._lookup

    def predict_proba(self, rows: Sequence[list[int]]) -> np.ndarray:
        """Class probabilities (away, neutral, toward) for feature-id rows."""
        return self._scores_of_rows(rows).probabilities

    def signal_proba(self, rows: Sequence[list[int]]) -> np.ndarray:
        """Each signal head's probability that its category is present: (n, len(SIGNALS))."""
        return self._scores_of_rows(rows).heads

    def _scores_of_rows(self, rows: Sequence[list[int]]) -> SentenceModelScores:
        n = len(rows)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n)
        cols = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
        return self._scores(np.arange(n, dtype=np.int64).repeat(lengths), cols, n)

    def predict_sentences(self, keys: Sequence[Sequence[str]], hits: Sequence[Sequence[SignalHit]],
                          negated: Sequence[Sequence[str]], context: Sequence[Sequence[str]]) -> SentenceModelScores:
        """Class and signal-head probabilities of many sentences from their
        keys, hits, negated categories and article context: the scores of
        their `feature_ids`, with the features of all of them found in one
        numpy pass."""
        owner, cols = self.lookup.columns(keys, hits, negated, context)
        return self._scores(owner, cols, len(keys))

    def _scores(self, owner: np.ndarray, cols: np.ndarray, n: int) -> SentenceModelScores:
        """Scores from (row, column) pairs of binary features sorted by row:
        each row's sums (squared idf, the three class sums and the heads'
        sums, precomputed per feature) in one reduceat."""
        if self._weights is None or self._weights.shape[0] != len(self.idf):
            idf = self.idf[:, None]
            self._weights = np.ascontiguousarray(np.column_stack([self.idf * self.idf, self.coef.T * idf,
                                                                  self.signal_coef.T * idf]))
        sums = np.zeros((n, self._weights.shape[1]))
        if len(cols):
            first = np.concatenate(([True], owner[1:] != owner[:-1])).nonzero()[0]
            # take: the rows gathered as indexing would, at a third of its cost on this (n_features, 9) matrix
            sums[owner[first]] = np.add.reduceat(self._weights.take(cols, axis=0), first, axis=0)
        norms = np.sqrt(sums[:, :1])
        norms[norms == 0] = 1.0
        scaled = sums[:, 1:] / norms
        probabilities = self._softmax(scaled[:, :3] + self.intercept)
        heads = sigmoid(scaled[:, 3:] + self.signal_intercept)
        return SentenceModelScores(probabilities, heads, owner, cols)

    def strongest_word_feature(self, ids: Sequence[int] | np.ndarray, head: int) -> str | None:
        """The word or word-pair feature among `ids` that pulls signal head
        `head` up the most: the evidence a learned signal points to."""
        names = self._feature_names()
        cols = np.asarray(ids, dtype=np.int64)
        cols = cols[self._word_mask()[cols]]
        # One numpy pass: the same products as element by element, so the same maximum.
        pull = self.signal_coef[head, cols] * self.idf[cols]
        if not len(pull) or not pull.max() > 0.0:
            return None  # nothing pulls the head up
        # Ties go to the smallest name, whatever the order of `ids`.
        return min([names[i] for i in cols[pull == pull.max()].tolist()])

    def _word_mask(self) -> np.ndarray:
        """Which feature columns are word or word-pair features (from the
        lookup's tables: no pass over the names at start-up)."""
        if self._is_word is None or len(self._is_word) != len(self.idf):
            mask = np.zeros(len(self.idf), dtype=bool)
            mask[self.lookup.word_columns()] = True
            self._is_word = mask
        return self._is_word

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def contributions(self, ids: Sequence[int]) -> list[tuple[str, float]]:
        """Each present feature's pull on the stance score (toward minus away logit)."""
        names = self._feature_names()
        vals = self.idf[list(ids)]
        norm = float(np.sqrt((vals * vals).sum())) or 1.0
        pull = (self.coef[2, list(ids)] - self.coef[0, list(ids)]) * vals / norm
        return sorted(((names[i], float(p)) for i, p in zip(ids, pull)), key=lambda x: -abs(x[1]))

    def _feature_names(self) -> list[str]:
        if not hasattr(self, "_names"):
            names = [""] * len(self.vocabulary)
            for name, i in self.vocabulary.items():
                names[i] = name
            self._names = names
        return self._names

    def save(self, path: Path, card: dict[str, Any]) -> None:
        """Write model and card atomically: a crash never leaves a half-written pair.

        Both go to temporary files in the same folder first and are then
        renamed into place, the model before its card; a reader that finds
        a model whose hash disagrees with its card refuses it.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        names = lines_blob(self._feature_names())
        tmp_model = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp_card = path.with_name(f".{card_path(path).name}.{os.getpid()}.tmp")
        try:
            with tmp_model.open("wb") as f:
                # Uncompressed: inflating took longer than reading the larger file.
                tables: dict[str, Any] = self.lookup.tables.arrays()
                np.savez(f, features=names, idf=self.idf, coef=self.coef, intercept=self.intercept,
                         classes=np.array(CLASSES), signal_coef=self.signal_coef,
                         signal_intercept=self.signal_intercept, signal_threshold=self.signal_threshold,
                         signals=np.array(SIGNALS), **tables)
                f.flush()
                os.fsync(f.fileno())
            card = {**card, "format": MODEL_FORMAT, "model_sha256": file_sha256(tmp_model)}
            tmp_card.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(tmp_model, path)
            os.replace(tmp_card, card_path(path))
        finally:
            tmp_model.unlink(missing_ok=True)
            tmp_card.unlink(missing_ok=True)
        self.card, self.path = card, str(path)


def ensure_writable(path: Path) -> None:
    """Raise OSError now if a model cannot be written at `path` later."""
    path.parent.mkdir(parents=True, exist_ok=True)
    probe = path.with_name(f".{path.name}.{os.getpid()}.probe")
    probe.write_bytes(b"")
    probe.unlink()


def load_model(path: str | Path) -> StanceModel:
    """Load a model after checking it against its card."""
    path = Path(path)
    card_file = card_path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no model file", "train one with 'stance train LABELS... --out PATH'")
    if not card_file.is_file():
        raise ModelError(f"{path}: its card {card_file.name} is missing", "retrain with 'stance train' to write both")
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{card_file}: unreadable card ({exc})", "retrain with 'stance train'") from None
    if card.get("format") not in READABLE_FORMATS:
        raise ModelError(f"{path}: format {card.get('format')!r}, expected {MODEL_FORMAT!r}", "retrain with 'stance train'")
    data = path.read_bytes()  # read once: hashed, then parsed
    if card.get("model_sha256") != hashlib.sha256(data).hexdigest():
        raise ModelError(f"{path}: does not match its card (hash differs)",
                         "the file was changed or replaced; retrain with 'stance train' or restore both files")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            if card["format"] == OLD_MODEL_FORMAT:
                names = [str(n) for n in arrays["features"].tolist()]
                lookup = None  # built from the names on first use
            else:
                names = blob_lines(arrays["features"])
                lookup = FeatureLookup(dict(zip(names, range(len(names)))), KeyTables.from_arrays(arrays, len(names)))
            model = StanceModel(
                vocabulary=lookup.vocabulary if lookup is not None else dict(zip(names, range(len(names)))),
                idf=np.asarray(arrays["idf"], dtype=np.float64),
                coef=np.asarray(arrays["coef"], dtype=np.float64),
                intercept=np.asarray(arrays["intercept"], dtype=np.float64),
                signal_coef=np.asarray(arrays["signal_coef"], dtype=np.float64),
                signal_intercept=np.asarray(arrays["signal_intercept"], dtype=np.float64),
                signal_threshold=np.asarray(arrays["signal_threshold"], dtype=np.float64),
                card=card, path=str(path), _lookup=lookup,
            )
            classes = tuple(int(c) for c in arrays["classes"])
            signals = tuple(str(c) for c in arrays["signals"])
    except Exception as exc:  # any failure to read the arrays means the file is not a model
        raise ModelError(f"{path}: corrupt model file ({type(exc).__name__}: {exc})", "retrain with 'stance train'") from None
    n = len(model.vocabulary)
    if (classes != CLASSES or signals != SIGNALS or len(names) != n or model.coef.shape != (3, n)
            or model.idf.shape != (n,) or model.signal_coef.shape != (len(SIGNALS), n)
            or model.signal_threshold.shape != (len(SIGNALS),)):
        raise ModelError(f"{path}: inconsistent model arrays", "retrain with 'stance train'")
    model._names = names
    return model
