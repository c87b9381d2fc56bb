"""What the stance model sees of a sentence.

Word keys (Snowball stems, so "released" and "releases" share evidence),
bigrams of keys, keys under a nearby negator ("did not release"), and the
rule hits of the current rulebook, so editing a rule changes the model's
input. Character n-grams were tried and dropped: in grouped
cross-validation on seeds/labels they did not help (0.705 vs 0.724
macro-F1) and they cost most of the scoring time.
Feature names are the single source of truth for training and for the fast
scorer in `model.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .matcher import SignalHit

# Keys after a negator that are marked as negated ("did not release").
NEGATION_REACH = 3
NEGATORS = frozenset({"not", "no", "never", "without", "noth", "neither", "nor", "none"})


def word_features(key: str) -> list[str]:
    """Features of one word key on its own."""
    return [f"k:{key}"]


def context_features(keys: Sequence[str]) -> list[str]:
    """Features that depend on a word's neighbours: bigrams and negation."""
    feats = [f"b:{a} {b}" for a, b in zip(keys, keys[1:])]
    reach = 0
    for k in keys:
        if reach:
            feats.append(f"n:{k}")
            reach -= 1
        if k in NEGATORS:
            reach = NEGATION_REACH
    return feats


def hit_features(hits: Iterable[SignalHit]) -> list[str]:
    """One feature per signal category and per rule that fired."""
    feats: list[str] = []
    for h in hits:
        feats.append(f"s:{h.category}")
        feats.append(f"r:{h.rule}:{h.category}")
    return feats


def sentence_features(keys: Sequence[str], hits: Iterable[SignalHit]) -> list[str]:
    """All feature names of one sentence (training path)."""
    return [f for k in keys for f in word_features(k)] + context_features(keys) + hit_features(hits)
