"""Signals found by the model's signal heads where no rule fired.

Rules give precise, explainable evidence, but reporting words escalation and
de-escalation in a long tail no rule list covers. Each signal category has a
logistic head over the stance model's features; where a head is sure enough
(its threshold was chosen on held-out folds, and a head that added nothing
to the rules there is switched off) and no rule of that category fired, the
sentence gets a learned hit. Its evidence is the word or word pair that
pulled the head up most, its rule `learned.<category>`. A category whose
rule hit negation removed ("did not release") gets no learned hit: the
rules' reading of negation stands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..model.features import BIGRAM
from ..rulebook.matcher import SignalHit
from ..model.linear import StanceModel
from ..rulebook.patterns import SIGNALS
from ..text.tokens import Tokens

LEARNED_PREFIX = "learned."


def learned_hits(model: StanceModel, ids: Callable[[], Sequence[int] | np.ndarray], probabilities: Sequence[float], text: str,
                 offset: int, toks: Tokens, ruled: set[str], negated: Sequence[str],
                 actor_of: Callable[[int, int], str | None] | None = None) -> list[SignalHit]:
    """Hits for the categories whose head fires and that no rule found or negated.

    `ids` gives the sentence's feature columns (asked for only when a head
    fires for a category no rule found: most firing heads agree with a rule,
    and cutting a sentence's columns out costs a search), `probabilities` the
    heads' outputs in SIGNALS order, `ruled` the categories rules already found,
    `actor_of` the attribution of the tokens [i, j) of the sentence (see classifier).
    """
    out: list[SignalHit] = []
    columns: Sequence[int] | np.ndarray | None = None
    for head, (category, p) in enumerate(zip(SIGNALS, probabilities)):
        if p < model.signal_threshold[head] or category in ruled or category in negated:
            continue
        if columns is None:
            columns = ids()
        span = _span(toks, model.strongest_word_feature(columns, head))
        if span is None:
            continue  # no word speaks for the category: no evidence, no hit
        start, end = toks.starts[span[0]], toks.ends[span[1] - 1]
        out.append(SignalHit(LEARNED_PREFIX + category, category, text[start:end], offset + start, offset + end,
                             f"learned (p={p:.2f})", round(float(p), 4), False,
                             actor_of(*span) if actor_of else None))
    return out


def _span(toks: Tokens, feature: str | None) -> tuple[int, int] | None:
    """Token span (i, j) of a word or word-pair feature's first occurrence."""
    if feature is None:
        return None
    words = feature[2:].split(" ") if feature.startswith(BIGRAM) else [feature[2:]]
    keys = toks.keys
    for i in range(len(keys) - len(words) + 1):
        if list(keys[i:i + len(words)]) == words:
            return i, i + len(words)
    return None
