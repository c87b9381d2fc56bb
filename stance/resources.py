"""Where the default rules and model live, and the user's cache.

In an installed wheel they are package data under `stance/_data/`; in a
source checkout (editable install, tests) they are the repository's own
`rules/` and `models/`, so an edited rule takes effect at once.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DEFAULT_MODEL_NAME = "stance-model.npz"


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[-1]


def default_rules_dir() -> Path:
    return _first_existing(_PACKAGE / "_data" / "rules", _PACKAGE.parent / "rules")


def default_model_path() -> Path:
    return _first_existing(_PACKAGE / "_data" / "models" / DEFAULT_MODEL_NAME, _PACKAGE.parent / "models" / DEFAULT_MODEL_NAME)


def default_labels_dir() -> Path:
    """The shipped labelled corpus, used to rebuild the default model."""
    return _first_existing(_PACKAGE / "_data" / "labels", _PACKAGE.parent / "seeds" / "labels")


def cache_dir() -> Path:
    """Where a rebuilt default model and compiled rules go: $STANCE_CACHE, else the XDG cache."""
    if os.environ.get("STANCE_CACHE"):
        return Path(os.environ["STANCE_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "stance"
