"""stance: rule-based signals and a light model for diplomatic news."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Classifier", "__version__"]

if TYPE_CHECKING:
    from .classifier import Classifier


def __getattr__(name: str) -> Any:
    # Lazy, so `import stance` stays cheap for commands that need no model.
    if name == "Classifier":
        from .classifier import Classifier

        return Classifier
    raise AttributeError(name)
