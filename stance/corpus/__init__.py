"""Many articles: inputs streamed, scored in parallel in input order, the
summary CSV and stance trends over time. Above `classifier`."""

from .stream import Item, Outcome, score_item

__all__ = ["Item", "Outcome", "score_item"]
