"""The one exception every reader raises for input it cannot read."""

from __future__ import annotations


class ReadError(Exception):
    """A file crossfoot cannot read; ``str()`` is the one-line message for the user:
    ``model.xlsx: not a workbook (no zip signature)``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
