"""An article's posture and how sure its stance index is.

The stance index is the mean sentence score over the sentences the model is
sure enough of: a sentence whose most probable class has probability below
ABSTAIN_BELOW abstains. Its interval is a seeded percentile bootstrap over
those sentences, so a five-sentence brief gets a wide interval and a long
analysis a narrow one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..fastinit import frozen_init

# A sentence abstains when its top class probability is below this: with
# three classes, under one half means no class holds a majority of the mass.
ABSTAIN_BELOW = 0.5
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20250213
INTERVAL = 0.90  # two-sided coverage of the reported interval
_TAILS = ((1 - INTERVAL) / 2 * 100, 100 - (1 - INTERVAL) / 2 * 100)  # the interval's percentiles
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


@frozen_init
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
    # sum / n is what mean() computes, without its Python-level wrapper
    index = float(kept.sum()) / len(kept)
    means = (_draw_counts(len(kept)) @ kept) / len(kept)
    low, high = _percentiles(means, _TAILS, copy=False)
    return StanceEstimate(index, low, high, len(kept), abstained)


# The resamples depend only on the seed and the number of sentences, so they
# are drawn once per length and kept as counts (how often each sentence is
# drawn into each resample), up to this many counts in all (8 bytes each);
# then the store starts afresh. A resample's mean is then one row of a
# matrix-vector product: the same means as averaging the drawn scores, to
# the last bit or two.
RESAMPLE_CACHE_COUNTS = 4_000_000
_draw_cache: dict[int, np.ndarray] = {}


def _draw_counts(n: int) -> np.ndarray:
    """(BOOTSTRAP_SAMPLES, n): how often the seeded generator draws each sentence into each resample."""
    counts = _draw_cache.get(n)
    if counts is None:
        drawn = np.random.default_rng(BOOTSTRAP_SEED).integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
        counts = np.zeros((BOOTSTRAP_SAMPLES, n))
        np.add.at(counts, (np.repeat(np.arange(BOOTSTRAP_SAMPLES), n), drawn.ravel()), 1.0)
        if sum(a.size for a in _draw_cache.values()) + counts.size > RESAMPLE_CACHE_COUNTS:
            _draw_cache.clear()
        _draw_cache[n] = counts
    return counts


@functools.lru_cache(maxsize=64)
def _interpolation_points(n: int, percents: tuple[float, ...]) -> tuple[list[tuple[int, int, float]], list[int]]:
    """For each percent, the order statistics around it and the weight between them (numpy's linear method)."""
    points = []
    for percent in percents:
        q = percent / 100
        virtual = (n - 1) * q  # numpy's virtual index for the linear method
        below = min(max(math.floor(virtual), 0), n - 1)
        points.append((below, min(below + 1, n - 1), virtual - below))
    return points, sorted({k for b, a, _ in points for k in (b, a)})


def _percentiles(values: np.ndarray, percents: Sequence[float], copy: bool = True) -> tuple[float, ...]:
    """np.percentile's default (linear) method, step for step, on order
    statistics found by one partial sort instead of its general machinery
    (a tenth of the time; the same values, as tested). `copy=False`
    partitions `values` itself, for a caller that has no further use of its order."""
    points, kth = _interpolation_points(len(values), tuple(percents))
    ordered = values.copy() if copy else values  # the method: np.partition's wrapper costs more than the work here
    ordered.partition(kth)
    out = []
    for below, above, t in points:
        a, b = float(ordered[below]), float(ordered[above])
        diff = b - a
        out.append(b - diff * (1 - t) if t >= 0.5 else a + diff * t)
    return tuple(out)


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
