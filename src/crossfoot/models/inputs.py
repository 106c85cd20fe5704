"""Reading the models' TOML input files: values with units, sources and spreads, and
errors that name the key, the line and what was expected.

A value in an input file is a number, or an inline table that adds a spread and where
the number comes from::

    pue = 1.3
    gpu_price = {value = 25000, provenance = "reconstructed", note = "chosen so totals hold"}
    load_factor = {value = 0.75, low = 0.56, high = 1.0}
    electricity_per_kwh = {dist = "lognormal", low = 0.05, high = 0.14}

``Sourced`` carries such a value through the models: the ``Quantity`` (see
``uncertainty``), its unit, and its origin (the input file, a catalogue entry or a region
preset) with the source, date and provenance tag (quoted / derived / reconstructed /
assumption) shown wherever the value is.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from crossfoot.models.uncertainty import Quantity

PROVENANCE_TAGS = ("quoted", "derived", "reconstructed", "assumption", "catalogue")
_VALUE_KEYS = {"value", "low", "high", "dist", "mean", "sd", "mode"}
_META_KEYS = {"provenance", "source", "date", "note", "unit"}


class InputError(ValueError):
    """An input file that cannot be used. ``str(error)`` is one line: the file, the line
    (when known), the key and what was expected."""

    def __init__(self, message: str, *, path: str | Path | None = None, key: str | None = None,
                 line: int | None = None) -> None:
        self.path = None if path is None else str(path)
        self.key = key
        self.line = line
        self.reason = message
        where = []
        if self.path:
            where.append(self.path + (f":{line}" if line else ""))
        elif line:
            where.append(f"line {line}")
        if key:
            where.append(key)
        super().__init__(": ".join([*where, message]))


@dataclass
class Sourced:
    """A model input: the quantity, its unit, and where it comes from."""

    quantity: Quantity
    unit: str
    origin: str                  # "file", "catalogue", "region", "defaults", "derived"
    source: str | None = None    # citation
    date: str | None = None      # the date of the figure
    provenance: str | None = None  # quoted / derived / reconstructed / assumption
    note: str | None = None

    @property
    def value(self) -> float:
        return self.quantity.value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.quantity.value, "unit": self.unit, "origin": self.origin}
        if self.quantity.uncertain:
            out["spread"] = self.quantity.to_dict()
        for k in ("source", "date", "provenance", "note"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        return out

    def describe(self) -> str:
        """'reconstructed: chosen so that totals hold' / 'catalogue: Epoch AI ... (2024-02)'."""
        head = self.provenance or ("input file" if self.origin == "file" else self.origin)
        tail = "; ".join(x for x in (self.note, self.source) if x)
        if self.date:
            tail = f"{tail} ({self.date})" if tail else self.date
        return f"{head}: {tail}" if tail else head


class TomlDocument:
    """A parsed TOML file that remembers the line of each key, for error messages.

    ``data`` is what ``tomllib`` returns. ``line_of(("accelerator", 2, "count"))`` is the
    1-based line where that key is set, or of the nearest enclosing table.
    """

    def __init__(self, text: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else str(path)
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            line = int(m.group(1)) if m else None
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise InputError(f"not valid TOML: {reason}", path=path, line=line) from None
        self._lines = self._index(text)

    @classmethod
    def from_data(cls, data: dict[str, Any], name: str | None = None) -> "TomlDocument":
        """A document built in Python (no text, so errors carry no line number)."""
        doc = cls.__new__(cls)
        doc.path, doc.data, doc._lines = name, data, {}
        return doc

    @classmethod
    def read(cls, path: str | Path) -> "TomlDocument":
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such file", path=p) from None
        except UnicodeDecodeError:
            raise InputError("not a TOML file (not UTF-8 text)", path=p) from None
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror or exc.__class__.__name__})", path=p) from None
        return cls(text, p)

    @staticmethod
    def _index(text: str) -> dict[tuple, int]:
        lines: dict[tuple, int] = {}
        counts: dict[tuple, int] = {}
        header: tuple = ()
        for n, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^\[\[\s*([^\]]+?)\s*\]\]", line)
            if m:
                name = tuple(p.strip().strip('"') for p in m.group(1).split("."))
                index = counts.get(name, 0)
                counts[name] = index + 1
                header = (*name, index)
                lines.setdefault(header, n)
                continue
            m = re.match(r"^\[\s*([^\]]+?)\s*\]", line)
            if m:
                header = tuple(p.strip().strip('"') for p in m.group(1).split("."))
                lines.setdefault(header, n)
                continue
            m = re.match(r'^("?[A-Za-z0-9_\-]+"?(?:\s*\.\s*"?[A-Za-z0-9_\-]+"?)*)\s*=', line)
            if m:
                key = tuple(p.strip().strip('"') for p in m.group(1).split("."))
                lines.setdefault((*header, *key), n)
        return lines

    def line_of(self, path: tuple) -> int | None:
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return None

    def error(self, path: tuple, message: str) -> InputError:
        return InputError(message, path=self.path, key=key_name(path), line=self.line_of(path))


def key_name(path: tuple) -> str:
    """('accelerator', 2, 'count') -> 'accelerator[2].count'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_quantity(raw: Any, doc: TomlDocument | None, path: tuple, *, unit: str,
                   origin: str = "file", minimum: float | None = None,
                   maximum: float | None = None, integer: bool = False) -> Sourced:
    """A number or an inline table (see the module docstring) -> ``Sourced``."""

    def err(message: str) -> InputError:
        if doc is not None:
            return doc.error(path, message)
        return InputError(message, key=key_name(path))

    meta: dict[str, Any] = {}
    if isinstance(raw, bool) or not isinstance(raw, (int, float, dict)):
        raise err(f"expected a number ({unit}) or a table like {{value = ..., low = ..., high = ...}}, "
                  f"got {type(raw).__name__} {raw!r}")
    if isinstance(raw, dict):
        unknown = set(raw) - _VALUE_KEYS - _META_KEYS
        if unknown:
            raise err(f"unknown key(s) {', '.join(sorted(unknown))}; expected value, low, high, dist, "
                      "mean, sd, mode, provenance, source, date, note")
        for k in _VALUE_KEYS - {"dist"}:
            if k in raw and (isinstance(raw[k], bool) or not isinstance(raw[k], (int, float))):
                raise err(f"'{k}' must be a number, got {raw[k]!r}")
        if "dist" in raw and not isinstance(raw["dist"], str):
            raise err(f"'dist' must be a string, got {raw['dist']!r}")
        for k in _META_KEYS:
            if k in raw and not isinstance(raw[k], str):
                raise err(f"'{k}' must be a string, got {raw[k]!r}")
        meta = {k: raw[k] for k in _META_KEYS if k in raw}
        try:
            q = Quantity.build(**{k: raw[k] for k in _VALUE_KEYS if k in raw})
        except ValueError as exc:
            raise err(str(exc)) from None
    else:
        q = Quantity.fixed(raw)
    for label, v in (("value", q.value), ("low", q.low)):
        if v is not None and minimum is not None and v < minimum:
            raise err(f"{label} {v:g} is below the minimum {minimum:g} ({unit})")
    for label, v in (("value", q.value), ("high", q.high)):
        if v is not None and maximum is not None and v > maximum:
            raise err(f"{label} {v:g} is above the maximum {maximum:g} ({unit})")
    if integer and (q.uncertain or q.value != int(q.value)):
        raise err(f"expected a whole number ({unit}), got {q.value:g}")
    provenance = meta.get("provenance")
    if provenance is not None:
        tag = provenance.split(":")[0].split(" ")[0].strip().lower()
        if tag not in PROVENANCE_TAGS:
            raise err(f"provenance must start with one of {', '.join(PROVENANCE_TAGS)}, got {provenance!r}")
    return Sourced(q, unit, origin, meta.get("source"), meta.get("date"), provenance, meta.get("note"))


def require_table(doc: TomlDocument, raw: Any, path: tuple) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise doc.error(path, f"expected a table, got {type(raw).__name__}")
    return raw


def check_keys(doc: TomlDocument, table: Mapping[str, Any], path: tuple, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        key = unknown[0]
        close = _closest(key, allowed)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise doc.error((*path, key), f"unknown key{hint}; expected one of {', '.join(sorted(allowed))}")


def _closest(word: str, options: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return found[0] if found else None
