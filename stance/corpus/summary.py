"""The per-article summary CSV, written whole or not at all."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from ..errors import StanceError
from ..rulebook.patterns import SIGNALS

COLUMNS = ("id", "date", "title", "posture", "stance_index", "stance_low", "stance_high", "sentences", *SIGNALS)


class SummaryWriter:
    """Rows go to a temporary file beside the target, renamed into place on close."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self._handle = self._tmp.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise StanceError(f"{path}: cannot write the summary ({exc.strerror})", "choose a writable --summary path") from None
        self._writer = csv.DictWriter(self._handle, fieldnames=COLUMNS, extrasaction="ignore")
        self._writer.writeheader()

    def add(self, row: dict[str, Any] | None) -> None:
        if row is not None:
            self._writer.writerow(row)

    def close(self) -> None:
        self._handle.close()
        os.replace(self._tmp, self.path)

    def __del__(self) -> None:  # an interrupted run leaves no partial file behind
        handle = getattr(self, "_handle", None)
        if handle is not None and not handle.closed:
            handle.close()
            Path(self._tmp).unlink(missing_ok=True)
