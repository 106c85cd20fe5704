"""A1 addresses: conversion between column letters, (row, column) pairs and ranges.

Everything inside crossfoot works with 1-based (row, column) integer pairs; A1 text
appears only at the edges (reading files, writing reports).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MAX_ROW = 1_048_576
MAX_COL = 16_384

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


@lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    if col < 1:
        raise ValueError(f"column {col} is not positive")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """'A' -> 1, 'ab' -> 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def a1(row: int, col: int) -> str:
    """(5, 6) -> 'F5'."""
    return f"{column_letter(col)}{row}"


def parse_a1(text: str) -> tuple[int, int]:
    """'F5' or '$F$5' -> (5, 6). Raises ValueError on anything else."""
    m = _A1.match(text.strip())
    if not m:
        raise ValueError(f"not an A1 cell address: {text!r}")
    return int(m.group(2)), column_index(m.group(1))


class CellRange(NamedTuple):
    """An inclusive rectangle of cells, 1-based."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @classmethod
    def parse(cls, text: str) -> "CellRange":
        """'B2:E9' or 'F5' -> CellRange."""
        first, _, last = text.partition(":")
        r1, c1 = parse_a1(first)
        r2, c2 = parse_a1(last) if last else (r1, c1)
        return cls(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

    @property
    def a1(self) -> str:
        start = a1(self.min_row, self.min_col)
        if (self.min_row, self.min_col) == (self.max_row, self.max_col):
            return start
        return f"{start}:{a1(self.max_row, self.max_col)}"

    @property
    def size(self) -> int:
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)

    def __contains__(self, rc: object) -> bool:  # type: ignore[override]
        if not (isinstance(rc, tuple) and len(rc) == 2):
            return False
        r, c = rc
        return self.min_row <= r <= self.max_row and self.min_col <= c <= self.max_col

    def cells(self):
        """Every (row, col) in the rectangle, row by row."""
        for r in range(self.min_row, self.max_row + 1):
            for c in range(self.min_col, self.max_col + 1):
                yield r, c


def range_a1(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    return CellRange(min_row, min_col, max_row, max_col).a1


def quote_sheet(name: str) -> str:
    """Quote a sheet name for use in a formula when it needs it: My Sheet -> 'My Sheet'."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not _A1.match(name):
        return name
    return "'" + name.replace("'", "''") + "'"
