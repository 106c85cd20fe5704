"""CSV/TSV tables: one sheet named after the file's stem, the first line is row 1.

A CSV file stores values only, so the workbook carries a notice saying so; rules then
treat it as a table to crossfoot by value. Numbers written the way analysts write them
are read as numbers, and the way they were written is kept as an Excel-style number
format, so the meaning layer can still read the currency and the scale:

    1,234     -> 1234    '#,##0'
    $1.2m     -> 1.2     '"$"#,##0.0"m"'
    (350)     -> -350    '#,##0;(#,##0)'
    12%       -> 0.12    '0%'
    ¥3.5bn    -> 3.5     '"¥"#,##0.0"bn"'
    RMB 20k   -> 20      '"RMB "#,##0"k"'

The scale word stays in the format and out of the value (``$1.2m`` is 1.2, in $m), as a
table's cells would be; a percent becomes the fraction Excel stores. Dialect: comma,
semicolon or tab, sniffed from the first lines (``.tsv`` is always tab). Encoding:
UTF-8 (with or without BOM), UTF-16 with a BOM, else Latin-1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from crossfoot.grid.model import Cell, ExcelError, Workbook
from crossfoot.read.errors import ReadError

NO_FORMULAS_NOTICE = "CSV stores no formulas: values only; totals are checked by value"

_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                     "#SPILL!", "#CALC!", "#GETTING_DATA"})

# Longest first so "US$" wins over "$" and "HK$" over "$".
_CURRENCIES = ("US$", "HK$", "A$", "C$", "NZ$", "S$", "R$", "USD", "EUR", "GBP", "JPY", "CNY",
               "RMB", "CHF", "INR", "$", "€", "£", "¥", "₹", "₩", "元")
_SCALES = {
    "k": "k", "K": "k", "thousand": "thousand", "thousands": "thousand",
    "m": "m", "M": "m", "mn": "mn", "mm": "mm", "mil": "m", "million": "million", "millions": "million",
    "b": "b", "B": "b", "bn": "bn", "Bn": "bn", "BN": "bn", "billion": "billion", "billions": "billion",
    "t": "t", "T": "t", "tn": "tn", "trillion": "trillion",
}
_CUR_ALT = "|".join(re.escape(c) for c in _CURRENCIES)
_SCALE_ALT = "|".join(sorted((re.escape(s) for s in _SCALES), key=len, reverse=True))
_NUMBER = re.compile(
    rf"""^(?P<neg1>[-+\u2212])?\s*
    (?P<cur1>{_CUR_ALT})?(?P<gap>\s*)
    (?P<neg2>[-\u2212])?\s*
    (?P<num>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|\.\d+)
    (?:[eE](?P<exp>[-+]?\d+))?
    \s*(?P<scale>{_SCALE_ALT})?
    \s*(?P<pct>%)?
    \s*(?P<cur2>{_CUR_ALT})?$""",
    re.VERBOSE,
)
_EURO_NUMBER = re.compile(r"^[-\u2212]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_number_text(text: str, decimal_comma: bool = False) -> tuple[float | int, str] | None:
    """Read ``text`` as a number the way an analyst wrote it: (value, number format),
    or None when it is not a number. ``decimal_comma`` reads ``1.234,5`` as 1234.5."""
    s = text.strip()
    if not s or not any(ch.isdigit() for ch in s):
        return None
    paren = False
    if s.startswith("(") and s.endswith(")"):
        paren = True
        s = s[1:-1].strip()
    if decimal_comma and _EURO_NUMBER.match(s):
        sign = -1 if s[0] in "-\u2212" else 1
        body = s.lstrip("-\u2212")
        value = sign * float(body.replace(".", "").replace(",", "."))
        return (-value if paren else value), "#,##0.0#"
    m = _NUMBER.match(s)
    if m is None:
        return None
    if m.group("neg1") and m.group("neg2"):
        return None
    if m.group("cur1") and m.group("cur2"):
        return None
    num = m.group("num")
    exp = m.group("exp")
    digits = num.replace(",", "")
    value: float | int
    if "." in digits or exp is not None:
        value = float(digits + (f"e{exp}" if exp is not None else ""))
    else:
        value = int(digits)
    negative = paren or m.group("neg1") in ("-", "\u2212") or m.group("neg2") is not None
    if negative:
        value = -value
    pct = m.group("pct") is not None
    scale = m.group("scale")
    if pct and scale:
        return None
    decimals = len(num.split(".", 1)[1]) if "." in num else 0
    if pct:
        value = value / 100
        value = round(value, decimals + 2 + 10) if isinstance(value, float) else value
        return value, "0" + ("." + "0" * decimals if decimals else "") + "%"
    cur = m.group("cur1") or m.group("cur2")
    grouped = "," in num
    plain = not (cur or scale or grouped or paren or exp)
    if plain:
        return value, "General"
    if exp is not None:
        body = "0.00E+00"
    else:
        body = "#,##0" + ("." + "0" * decimals if decimals else "")
    fmt = body
    if scale:
        fmt += f'"{_SCALES[scale]}"'
    if cur:
        if m.group("cur1"):
            gap = " " if m.group("gap") else ""
            fmt = f'"{cur}{gap}"' + fmt
        else:
            fmt = fmt + f'" {cur}"'
    if paren:
        fmt = f"{fmt};({fmt})"
    return value, fmt


def _decode(raw: bytes, label: str) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw[:4096]:
        raise ReadError(label, "not a text table (binary content)")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # Excel's "CSV" on Windows: cp1252 (€ is 0x80), a superset of Latin-1's letters
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str, suffix: str = "") -> str:
    """Tab for .tsv; otherwise the one of comma, semicolon and tab that splits the
    first lines into the most columns, the same number on every line."""
    if suffix == ".tsv":
        return "\t"
    lines = text.splitlines()[:30]
    sample = "\n".join(lines)
    best, best_score = ",", (-1, -1)
    for delim in (",", ";", "\t"):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        counts = [len(r) for r in rows]
        width = max(set(counts), key=counts.count)
        consistent = sum(1 for c in counts if c == width)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(path: Path | str) -> Workbook:
    """Read a .csv/.tsv table into a one-sheet workbook; ReadError if it is not text."""
    path = Path(path)
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(label, f"cannot open ({exc.strerror or exc})") from None
    text, encoding = _decode(raw, label)
    delim = sniff_delimiter(text, path.suffix.lower())
    decimal_comma = delim == ";"
    wb = Workbook(path=label, source_format="csv")
    wb.notices.append(NO_FORMULAS_NOTICE)
    if not text.strip():
        raise ReadError(label, "empty file (no rows)")
    if encoding in ("cp1252", "latin-1"):
        wb.notices.append(f"not valid UTF-8; read as {'Windows-1252' if encoding == 'cp1252' else 'Latin-1'}")
    sheet = wb.add_sheet(path.stem)
    cells = sheet.cells
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        for r, row in enumerate(reader, start=1):
            for c, field in enumerate(row, start=1):
                if field == "" or field.isspace():
                    continue
                cells[(r, c)] = _cell(r, c, field, decimal_comma)
    except csv.Error as exc:
        raise ReadError(label, f"malformed CSV ({exc})") from None
    return wb


def _cell(row: int, col: int, field: str, decimal_comma: bool) -> Cell:
    parsed = parse_number_text(field, decimal_comma)
    if parsed is not None:
        return Cell(row, col, parsed[0], None, parsed[1])
    s = field.strip()
    if s in _ERRORS:
        return Cell(row, col, ExcelError(s))
    if _ISO_DATE.match(s):
        try:
            return Cell(row, col, dt.datetime.strptime(s, "%Y-%m-%d"), None, "yyyy-mm-dd")
        except ValueError:
            pass
    return Cell(row, col, field)
