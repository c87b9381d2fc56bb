"""The shipped default model's life cycle.

The model file itself does not depend on scikit-learn at load time, but it
was fitted by one scikit-learn version; when the installed version differs,
the default model is rebuilt from the shipped labels and rules (a few
seconds, once) into the user's cache, with a one-line notice, so the
default model always matches the installed trainer. A model the user names
with --model is never rebuilt behind their back: a mismatch is an error
that says which command retrains it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import ModelError
from ..model.labels import labels_sha256
from ..model.linear import StanceModel, card_path, load_model
from ..resources import DEFAULT_MODEL_NAME, cache_dir, default_labels_dir, default_model_path, default_rules_dir
from ..rulebook.loading import rules_digest

Notify = Callable[[str], None]


def installed_sklearn() -> str:
    try:
        return version("scikit-learn")
    except PackageNotFoundError:
        return "not installed"


def _card(path: Path) -> dict:
    try:
        return json.loads(card_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _shipped_labels() -> list[Path]:
    return sorted(default_labels_dir().glob("*.jsonl"))


def load_default_model(notify: Notify | None = None) -> StanceModel:
    """The shipped model, or its rebuild when scikit-learn's version changed."""
    shipped = default_model_path()
    card = _card(shipped)
    current = installed_sklearn()
    if card.get("sklearn_version") == current:
        return load_model(shipped)
    rebuilt = cache_dir() / DEFAULT_MODEL_NAME
    cached = _card(rebuilt)
    if (cached.get("sklearn_version") == current
            and cached.get("labels", {}).get("sha256") == labels_sha256(_shipped_labels())
            and cached.get("rules_sha256") == rules_digest(default_rules_dir())):
        return load_model(rebuilt)
    if notify:
        notify(f"stance: the default model was built with scikit-learn {card.get('sklearn_version')}, "
               f"{current} is installed; rebuilding it from the shipped labels into {rebuilt}")
    return rebuild_default_model(rebuilt)


def rebuild_default_model(target: Path) -> StanceModel:
    from ..model.labels import read_labels
    from ..rulebook.loading import load_rulebook
    from ..model.train import train

    labels = _shipped_labels()
    if not labels:
        raise ModelError(f"no shipped labels in {default_labels_dir()} to rebuild the default model",
                         "reinstall stance, or train one with 'stance train LABELS... --out PATH'")
    # as `stance train` built the shipped model: offset tuned on the same files (or fixed), files weighed the same
    shipped = _card(default_model_path()).get("classifier", {})
    result = train(read_labels(labels), load_rulebook(default_rules_dir()),
                   tune_on=shipped.get("neutral_offset_tuned_on", []), weights=shipped.get("file_weights", {}),
                   neutral_offset=shipped.get("neutral_offset") if shipped.get("neutral_offset_fixed") else None)
    try:
        result.model.save(target, result.card)
    except OSError as exc:
        raise ModelError(f"cannot write the rebuilt default model to {target} ({exc.strerror})",
                         "set STANCE_CACHE to a writable folder") from None
    return result.model


def check_user_model(model: StanceModel) -> None:
    """A user's model trained by another scikit-learn is refused with the retraining command."""
    trained = model.card.get("sklearn_version")
    if trained != installed_sklearn():
        raise ModelError(
            f"{model.path}: built with scikit-learn {trained}, but {installed_sklearn()} is installed",
            f"retrain it: stance train LABELS... --out {model.path}",
        )
