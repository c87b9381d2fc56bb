"""The scoring path gives the stored answers, sentence by sentence.

`tests/data/expectation.json.gz` holds what the scoring path answered on
the seed article, the labelled documents and sentences, and every rule
example (see `tests/data/make_expectation.py`). Work on speed must not
change one hit, offset, actor or probability. A rule or model change does
change them: regenerate the file in the same commit with

    python tests/data/make_expectation.py
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from .data.make_expectation import EXPECTATION, inputs, load, observe

# Probabilities, indices, intervals and means are stored in millionths; summing in
# another order may move a value across a rounding edge, by one millionth.
TOLERANCE = 1
# Fields whose numbers are compared with TOLERANCE; everything else exactly.
NUMERIC = frozenset({"p", "index", "interval", "mean"})
SHOWN = 12
REGENERATE = "python tests/data/make_expectation.py"


def _differences(expected: Any, observed: Any, path: str = "", field: str = "") -> Iterator[str]:
    """Every difference, as `path: expected ..., got ...`; `field` is the innermost dict key."""
    if isinstance(expected, dict) and isinstance(observed, dict):
        for key in sorted(expected.keys() | observed.keys()):
            if key not in observed:
                yield f"{path}/{key}: missing, expected {expected[key]!r}"
            elif key not in expected:
                yield f"{path}/{key}: unexpected {observed[key]!r}"
            else:
                yield from _differences(expected[key], observed[key], f"{path}/{key}", key)
    elif isinstance(expected, list) and isinstance(observed, list) and len(expected) == len(observed):
        for k, (e, o) in enumerate(zip(expected, observed)):
            yield from _differences(e, o, f"{path}/{k}", field)
    elif (field in NUMERIC and type(expected) is int and type(observed) is int):
        if abs(expected - observed) > TOLERANCE:
            yield f"{path}: expected {expected}, got {observed}"
    elif expected != observed:
        yield f"{path}: expected {expected!r}, got {observed!r}"


@pytest.fixture(scope="module")
def expectation() -> dict[str, Any]:
    if not EXPECTATION.is_file():
        pytest.fail(f"{EXPECTATION} is missing: write it with {REGENERATE}")
    return load()


def test_expectation_matches_the_rules_model_and_labels(expectation):
    """A rule, model or label edit without a regenerated expectation is named here, not as a wall of diffs."""
    changed = [k for k, v in inputs().items() if expectation["inputs"].get(k) != v]
    assert not changed, (f"{', '.join(changed)} changed since the expectation was written: after a rule or model "
                         f"change, regenerate it in the same commit ({REGENERATE})")


@pytest.mark.parametrize("section", ["seed", "documents", "sentences", "examples", "patterns"])
def test_scoring_path_gives_the_stored_answers(expectation, observed, section):
    diffs = list(_differences(expectation[section], observed[section], section))
    assert not diffs, (f"{len(diffs)} difference(s) from the stored expectation, first {SHOWN}:\n  "
                       + "\n  ".join(diffs[:SHOWN])
                       + f"\n(a speed change must change no answer; after a rule or model change, {REGENERATE})")


@pytest.fixture(scope="module")
def observed() -> dict[str, Any]:
    return json.loads(json.dumps(observe()))  # the same JSON types as the stored file
