"""A progress line on standard error, shown only when it is a terminal."""

from __future__ import annotations

import sys
import time

# Seconds between redraws: often enough to look alive, rarely enough to cost nothing.
REDRAW_EVERY = 0.2


class Progress:
    def __init__(self, enabled: bool = True, what: str = "articles") -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.what = what
        self.count = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def step(self) -> None:
        self.count += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn >= REDRAW_EVERY:
            rate = self.count / max(now - self.started, 1e-9)
            sys.stderr.write(f"\r{self.count:,} {self.what} scored ({rate:,.0f}/s)")
            sys.stderr.flush()
            self._drawn = now

    def clear(self) -> None:
        if self.enabled and self._drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._drawn = 0.0
