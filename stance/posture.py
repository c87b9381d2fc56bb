"""An article's posture and how sure its stance index is.

The stance index is the mean sentence score over the sentences the model is
sure enough of: a sentence whose most probable class has probability below
ABSTAIN_BELOW abstains. Its interval is a seeded percentile bootstrap over
those sentences, so a five-sentence brief gets a wide interval and a long
analysis a narrow one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# A sentence abstains when its top class probability is below this: with
# three classes, under one half means no class holds a majority of the mass.
ABSTAIN_BELOW = 0.5
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20250213
INTERVAL = 0.90  # two-sided coverage of the reported interval
# |index| above this reads as a direction, not noise (also used by the text view).
DIRECTION_THRESHOLD = 0.1

# The posture table, checked top to bottom; the first row that holds wins.
POSTURES = (
    ("no signal", "no de-escalation, escalation, condition or red-line signal, and |index| < 0.1"),
    ("conditional opening", "index >= 0.1 and a condition or red line is signalled"),
    ("opening", "index >= 0.1"),
    ("hardening", "index <= -0.1"),
    ("mixed", "anything else: signals in both directions, or an index near 0"),
)


@dataclass(frozen=True, slots=True)
class StanceEstimate:
    index: float
    low: float
    high: float
    counted: int
    abstained: int


def estimate(scores: Sequence[float], confidences: Sequence[float]) -> StanceEstimate:
    """Mean of the confident sentences' scores, with a bootstrap interval."""
    kept = np.array([s for s, c in zip(scores, confidences) if c >= ABSTAIN_BELOW], dtype=float)
    abstained = len(scores) - len(kept)
    if len(kept) == 0:
        return StanceEstimate(0.0, 0.0, 0.0, 0, abstained)
    index = float(kept.mean())
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = kept[rng.integers(0, len(kept), size=(BOOTSTRAP_SAMPLES, len(kept)))].mean(axis=1)
    tail = (1 - INTERVAL) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return StanceEstimate(index, float(low), float(high), len(kept), abstained)


def posture(index: float, signal_counts: Mapping[str, int]) -> str:
    """The first row of POSTURES that holds."""
    directional = sum(signal_counts.get(c, 0) for c in ("deescalation", "escalation", "condition", "red_line"))
    if directional == 0 and abs(index) < DIRECTION_THRESHOLD:
        return "no signal"
    if index >= DIRECTION_THRESHOLD:
        if signal_counts.get("condition", 0) or signal_counts.get("red_line", 0):
            return "conditional opening"
        return "opening"
    if index <= -DIRECTION_THRESHOLD:
        return "hardening"
    return "mixed"
