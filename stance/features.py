"""What the stance model sees of a sentence.

Word unigrams and bigrams, character 3-5-grams inside each word (so unseen
inflections still share evidence), words under a nearby negator, and the
rule hits of the current rulebook: editing a rule changes the model's input.
Feature names are the single source of truth for training and for the fast
scorer in `model.py`, which caches each word's features.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .matcher import SignalHit

CHAR_NGRAMS = (3, 4, 5)
# Words after a negator that are marked as negated ("did not release").
NEGATION_REACH = 3
NEGATORS = frozenset({"not", "no", "never", "without", "nothing", "neither", "nor", "n't", "n’t", "none"})


def word_features(word: str) -> list[str]:
    """Features of one lower-cased word on its own (cacheable)."""
    padded = f" {word} "
    grams = [f"c:{padded[i:i + n]}" for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]
    return [f"w:{word}", *grams]


def context_features(words: Sequence[str]) -> list[str]:
    """Features that depend on a word's neighbours: bigrams and negation."""
    feats = [f"b:{a} {b}" for a, b in zip(words, words[1:])]
    reach = 0
    for w in words:
        if reach:
            feats.append(f"n:{w}")
            reach -= 1
        if w in NEGATORS:
            reach = NEGATION_REACH
    return feats


def hit_features(hits: Iterable[SignalHit]) -> list[str]:
    """One feature per signal category and per rule that fired."""
    feats: list[str] = []
    for h in hits:
        feats.append(f"s:{h.category}")
        feats.append(f"r:{h.rule}:{h.category}")
    return feats


def sentence_features(words: Sequence[str], hits: Iterable[SignalHit]) -> list[str]:
    """All feature names of one sentence (training path)."""
    feats = [f for w in words for f in word_features(w)]
    feats += context_features(words)
    feats += hit_features(hits)
    return feats
