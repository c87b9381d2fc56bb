"""Text: an article read from a file, split into sentences with exact
offsets, and tokens with their matching keys. The lowest layer: it imports
nothing else of stance but `errors`."""
