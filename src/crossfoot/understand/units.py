"""Units and kinds of quantity, read from labels, headers and number formats, and
carried through formulas.

What a number *is* decides which arithmetic is valid on it:

- a **stock** is an amount at a point or spent once: server capex, a cash balance,
  customers at month end. Stocks add across items but not across periods;
- a **flow** is an amount per period: revenue, opex, cost to operate (per year, per
  month, or over a stated horizon such as "4y");
- an **intensive** figure is per unit: a price or ASP, an average, a per-GPU figure, a
  rate, a margin, a percentage, a ratio, a growth rate. Intensive figures do not add:
  their total is a weighted average (or a ratio of totals);
- a **count** is a number of things: GPUs, units, headcount.

``parse_label(text)`` reads a ``Quantity`` from words ("Server CapEx per GPU ($)" ->
intensive, USD, scale 0, per GPU), ``unit_of(ctx, sheet, row, col)`` the quantity of a
cell from its labels (``understand.labels``) and number format, and
``derived_unit(ctx, sheet, row, col)`` the unit its formula computes, with the
dimensional rules: a count times a $/unit price is $, a sum keeps its unit, a division
gives a rate, dividing by 10^6 turns $ into $m. A formula's ``+`` and ``-`` are checked
on the way; ``conflicts`` lists the operands of different units they combine.

Units are algebraic (``Dim``): exponents of base dimensions ``money``, ``n`` (a count of
things), ``W`` (power) and the time units ``hour, day, week, month, quarter, year``, a
currency, a decimal scale (0 for $, 6 for $m), and two flags that keep the checks
honest: ``definite`` (the time base is known: a stock, or a label with /yr, p.a., 4y;
"Revenue" alone is a flow whose period is not stated) and ``wild`` (a constant such as
12 or 4 multiplied in may be a number of periods, so time exponents are not compared).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Iterator

from openpyxl.formula.tokenizer import Token

from crossfoot.grid.address import a1
from crossfoot.grid.formula import FormulaInfo, info_for
from crossfoot.understand.labels import CellLabels, cell_labels

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

TIME_UNITS = ("hour", "day", "week", "month", "quarter", "year")
HOURS_PER = {"hour": 1, "day": 24, "week": 168, "month": 730.5, "quarter": 2191.5, "year": 8766}


@dataclass(frozen=True)
class Quantity:
    """What a number is, as its labels say.

    ``kind``: "stock", "flow", "intensive", "count" or None (not stated).
    ``currency``: "USD", "CNY", "EUR", "GBP" or None. ``scale``: the power of ten of the
    unit ($m -> 6), None when not stated. ``per``: what an intensive figure is per
    ("GPU", "%", ...). ``time_base``: "hour" ... "year" for /hr ... p.a. ``horizon_years``:
    the span an amount covers ("4y" -> 4). ``source``: the text it was read from.
    ``dimension``: "money", "count", "percent", "power", "energy", "time" or None.
    ``word``: how to call several of them in a message ("prices", "averages").
    ``point_in_time``: a balance at a date (not additive over periods). ``share``: a part
    of a whole ("% of total"), which does add up.
    """

    kind: str | None = None
    currency: str | None = None
    scale: int | None = None
    per: str | None = None
    time_base: str | None = None
    horizon_years: float | None = None
    source: str = ""
    dimension: str | None = None
    word: str | None = None
    point_in_time: bool = False
    share: bool = False
    explicit: bool = False

    @property
    def is_intensive(self) -> bool:
        return self.kind == "intensive" and not self.share

    def describe(self) -> str:
        """'a stock in $m', 'a flow in $m per hour', 'a price in $'."""
        unit = unit_text(self)
        what = {"stock": "a stock", "flow": "a flow", "count": "a count",
                "intensive": "a per-unit figure"}.get(self.kind or "", "an amount")
        return f"{what} in {unit}" if unit else what


_CUR = r"(?:us\s?\$|\$|usd\b|rmb\b|¥|cny\b|€|eur\b|£|gbp\b)"
_CURRENCIES = [
    ("USD", re.compile(r"us\s?\$|\$|\busd\b|\bdollars?\b", re.I)),
    ("CNY", re.compile(r"\brmb\b|¥|\bcny\b|\byuan\b", re.I)),
    ("EUR", re.compile(r"€|\beur\b|\beuros?\b", re.I)),
    ("GBP", re.compile(r"£|\bgbp\b", re.I)),
]
_SCALE_AFTER_CUR = re.compile(
    _CUR + r"\s*(?P<s>'?000s?|k|thousands?|mm|mn|mln|m|millions?|bn|bln|b|billions?)(?![a-z])", re.I)
_SCALE_WORDS = [
    (3, re.compile(r"\bthousands?\b|\(\s*'?000s?\s*\)|\b000'?s\b|'000", re.I)),
    (6, re.compile(r"\bmillions?\b|\bmln\b|\bmio\b", re.I)),
    (9, re.compile(r"\bbillions?\b|\bbln\b", re.I)),
]
_SCALE_CODE = {"'000": 3, "'000s": 3, "000": 3, "000s": 3, "k": 3, "thousand": 3, "thousands": 3,
               "m": 6, "mm": 6, "mn": 6, "mln": 6, "million": 6, "millions": 6,
               "b": 9, "bn": 9, "bln": 9, "billion": 9, "billions": 9}

_TIME_WORDS = {
    "hour": r"hr|hrs|hour|h", "day": r"day|d", "week": r"week|wk", "month": r"month|mo|mth",
    "quarter": r"quarter|qtr", "year": r"year|yr|y|annum|a",
}
_TIME_PER = {k: re.compile(rf"(?:/|\bper\s+|\ba\s+|\beach\s+)\s*(?:gpu[- ]?)?(?:{v})\b", re.I)
             for k, v in _TIME_WORDS.items()}
_TIME_ADJ = {
    "hour": re.compile(r"\bhourly\b", re.I), "day": re.compile(r"\bdaily\b", re.I),
    "week": re.compile(r"\bweekly\b", re.I), "month": re.compile(r"\bmonthly\b", re.I),
    "quarter": re.compile(r"\bquarterly\b", re.I),
    "year": re.compile(r"\bannual(?:ly|ised|ized)?\b|\byearly\b|\bp\.\s?a\.?|\bper\s+annum\b", re.I),
}
_HORIZON = re.compile(r"(?<![/\w.])(?:over\s+)?(\d{1,2}(?:\.\d+)?)\s*-?\s*(?:y|yr|yrs|year|years)\b(?!\s*\d)", re.I)
_PER_NOUN = re.compile(r"\bper\s+(?!cent\b|annum\b)([a-z][a-z0-9\-]*)", re.I)
_SLASH_NOUN = re.compile(
    r"/\s*(unit|gpu|head|user|customer|share|kg|ton|tonne|mwh|kwh|kw|sq\.?\s?ft|employee|"
    r"person|capita|item|node|server|device|seat|subscriber|student|member|acre|mile|km)s?\b", re.I)
_SHARE = re.compile(r"%\s*of\s*(?:the\s+)?total|\bshare\s+of\b|\bmarket\s+share\b|\bproportion\b|"
                    r"\bpercent(?:age)?\s+of\s+(?:the\s+)?total\b|\bof\s+total\b", re.I)
_MONEY_WORDS = re.compile(
    r"\brevenues?\b|\bsales\b|\bturnover\b|\bincome\b|\bexpenses?\b|\bexpenditures?\b|\bcosts?\b|"
    r"\bopex\b|\bcap\s?ex\b|\bspend(?:ing)?\b|\bpayments?\b|\bprofits?\b|\bearnings\b|\bebitda?\b|"
    r"\bcash\b|\bfees?\b|\bwages\b|\bsalar(?:y|ies)\b|\bpayroll\b|\bprices?\b|\basps?\b|\bbudget\b|"
    r"\btco\b|\bdepreciation\b|\bbalance\b|\binvestment\b|\bdividends?\b", re.I)
_INTENSIVE = [
    ("prices", re.compile(r"\basps?\b|\bprices?\b|\bpricing\b|\btariffs?\b|\bunit\s+(?:cost|price)s?\b", re.I)),
    ("averages", re.compile(r"\baverages?\b|\bavg\b|\bmean\b|\bmedian\b", re.I)),
    ("margins", re.compile(r"\bmargins?\b|\bmark-?up\b", re.I)),
    ("growth rates", re.compile(r"\bgrowth\b|\bcagr\b|\binflation\b|\bchange\s*%|%\s*change\b|\byoy\b", re.I)),
    ("ratios", re.compile(r"\bratios?\b|\bmultiples?\b|\broi\b|\broe\b|\broa\b|\birr\b|\byields?\b|"
                          r"\butili[sz]ation\b|\befficiency\b|\barpu\b", re.I)),
    ("rates", re.compile(r"\brates?\b", re.I)),
    ("percentages", re.compile(r"(?<![\d.])%|\bpercent(?:age)?s?\b|\bpct\b|\bper\s+cent\b", re.I)),
]
_POINT_STOCK = re.compile(
    r"\bbalances?\b|\bcash\s+(?:at|on\s+hand)\b|\bon\s+hand\b|\bclosing\b|\bending\b|\bopening\b|"
    r"\bend\s+of\s+(?:the\s+)?(?:period|month|year|quarter|week|day)\b|"
    r"\b(?:month|year|quarter|period)[- ]end\b|\bat\s+(?:the\s+)?end\b|\boutstanding\b|"
    r"\binventor(?:y|ies)\b|\bnet\s+worth\b|\baum\b|\bassets\s+under\s+management\b|\binstalled\s+base\b|"
    r"\b(?:customers|subscribers|users|headcount|employees)\s+at\b|\bheadcount\b|\bbook\s+value\b|"
    r"\bmarket\s+cap", re.I)
_ONE_OFF_STOCK = re.compile(
    r"\bcap\s?ex\b|\bcapital\s+(?:expenditure|cost|outlay)s?\b|\bupfront\b|\bup-front\b|"
    r"\bacquisition\s+cost\b|\bpurchase\s+cost\b|\binvestment\b", re.I)
_FLOW = re.compile(
    r"\brevenues?\b|\bsales\b|\bturnover\b|\bincome\b|\bexpenses?\b|\bexpenditures?\b|\bcosts?\b|"
    r"\bopex\b|\bspend(?:ing)?\b|\bpayments?\b|\bprofits?\b|\bearnings\b|\bebitda?\b|\bcash\s?flows?\b|"
    r"\bdepreciation\b|\bamorti[sz]ation\b|\bfees?\b|\bwages\b|\bsalar(?:y|ies)\b|\bpayroll\b|"
    r"\binterest\b|\btax(?:es)?\b|\bdividends?\b|\bcogs\b|\bpurchases\b|\breceipts\b|\bdisbursements\b|"
    r"\bcontributions\b|\bdonations\b|\bgrants\b|\brent\b|\butilities\b|\bmaintenance\b|"
    r"\belectricity\b|\boperat(?:e|ing|ion|ions)\b|\btco\b|\bo&m\b", re.I)
_COUNT = re.compile(
    r"^\s*#|#\s*of\b|\bnumber\s+of\b|\bno\.?\s+of\b|\bcount\b|\bunits\b|\bqty\b|\bquantity\b|"
    r"\bheadcount\b|\bemployees\b|\bstaff\b|\bftes?\b|\bcustomers\b|\busers\b|\bsubscribers\b|"
    r"\bgpus\b|\bservers\b|\bnodes\b|\bmachines\b|\bstudents\b|\bpeople\b|\bpersons\b|"
    r"\bhouseholds\b|\borders\b|\baccounts\b|\bpatients\b|\bmembers\b", re.I)
_POWER = re.compile(r"(?<![A-Za-z$])([kMG]?)W(?!h)\b")
_ENERGY = re.compile(r"(?<![A-Za-z$])([kMG]?)Wh\b")
_HOURS_QTY = re.compile(r"(?<![/\-])\b(?:hours|hrs)\b", re.I)
_YEARS_QTY = re.compile(r"^(?!.*\bper\b).*\(\s*(?:years?|yrs?)\s*\)|^\s*(?:years?|useful life|lifetime|life)\b", re.I)
_PREFIX = {"": 0, "k": 3, "M": 6, "G": 9}


@lru_cache(maxsize=8192)
def parse_label(text: str | None, number_format: str = "General") -> Quantity:
    """Read a Quantity from label text (and a number format).

    >>> parse_label("Server CapEx ($m)").kind, parse_label("Server CapEx ($m)").scale
    ('stock', 6)
    """
    text = (text or "").strip()
    fmt = number_format or "General"
    currency = None
    for code, rx in _CURRENCIES:
        if rx.search(text):
            currency = code
            break
    scale: int | None = None
    m = _SCALE_AFTER_CUR.search(text)
    if m:
        scale = _SCALE_CODE.get(m.group("s").lower())
    if scale is None:
        for value, rx in _SCALE_WORDS:
            if rx.search(text):
                scale = value
                break
    if scale is None and currency is not None:
        scale = 0
    time_base = None
    for unit, rx in _TIME_PER.items():
        if rx.search(text):
            time_base = unit
            break
    if time_base is None:
        for unit, rx in _TIME_ADJ.items():
            if rx.search(text):
                time_base = unit
                break
    horizon = None
    hm = _HORIZON.search(text)
    if hm:
        value = float(hm.group(1))
        if 0 < value <= 50:
            horizon = value
    # what the figure is per
    per = None
    pm = _PER_NOUN.search(text)
    if pm and not any(re.fullmatch(v, pm.group(1), re.I) for v in _TIME_WORDS.values()):
        per = re.sub(r"s$", "", pm.group(1).split("-")[0])
    else:
        sm = _SLASH_NOUN.search(text)
        if sm:
            per = sm.group(1)
    percent_fmt = "%" in fmt.replace('"%"', "")
    currency_from_format = False
    if currency is None:
        for code, token in (("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("CNY", "¥")):
            if token in fmt:
                currency, currency_from_format = code, True
                scale = 0 if scale is None else scale
                break
    kind = None
    word = None
    point = False
    share = bool(_SHARE.search(text))
    dimension = None
    if share:
        kind, word = "intensive", "shares"
    else:
        for name, rx in _INTENSIVE:
            if rx.search(text):
                if name == "margins" and currency is not None and per is None and "%" not in text:
                    continue  # "Gross margin ($m)": an amount
                if name == "prices" and currency is not None and (scale or 0) >= 6 and per is None:
                    continue  # "Purchase price ($bn)": an amount
                kind, word = "intensive", name
                break
        if kind is None and per is not None:
            kind, word = "intensive", f"per-{per} figures"
        if kind is None and percent_fmt:
            kind, word = "intensive", "percentages"
    if kind is None:
        if _POINT_STOCK.search(text):
            kind, point = "stock", True
        elif _ONE_OFF_STOCK.search(text) and time_base is None:
            kind = "stock"
        elif _COUNT.search(text) and currency is None:
            kind = "count"
        elif _FLOW.search(text) or (time_base is not None and currency is not None):
            kind = "flow"
    if kind == "intensive" and word == "prices" and per is None:
        per = "unit"
    percent_sign = bool(re.search(r"(?<![\d.])%", text))
    if currency is None and (word in ("percentages", "margins", "growth rates", "shares") or percent_sign
                             or (word == "rates" and time_base is not None)  # "interest rate (annual)"
                             or (percent_fmt and kind == "intensive")):
        dimension = "percent"
    elif currency is not None or word == "prices" or (kind in ("stock", "flow") and _MONEY_WORDS.search(text)):
        dimension = "money"
    elif kind == "count":
        dimension = "count"
    if dimension is None:
        em = _ENERGY.search(text)
        pw = _POWER.search(text)
        if em:
            dimension, scale = "energy", _PREFIX[em.group(1)]
        elif pw:
            dimension, scale = "power", _PREFIX[pw.group(1)]
        elif _HOURS_QTY.search(text) and time_base is None:
            dimension = "time"
        elif _YEARS_QTY.search(text):
            dimension = "years"
    count_marker = bool(re.search(r"^\s*#|#\s*of\b|\bnumber\s+of\b|\bno\.?\s+of\b", text, re.I))
    explicit = bool((currency and not currency_from_format) or time_base or horizon
                    or (kind == "stock" and dimension == "money") or (kind == "count" and count_marker)
                    or (dimension == "percent" and percent_sign)
                    or dimension in ("power", "energy", "time", "years"))
    return Quantity(kind, currency, scale, per, time_base, horizon, text, dimension, word, point, share, explicit)


def merge(row: Quantity, col: Quantity) -> Quantity:
    """The quantity of a cell from its row label's and its column header's: the one that
    says more wins field by field; an intensive reading (a % or a price) wins a conflict."""
    if row.kind is None and not row.explicit:
        base, other = col, row
    elif col.kind is None and not col.explicit:
        base, other = row, col
    elif col.is_intensive and not row.is_intensive:
        base, other = col, row
    else:
        base, other = row, col
    return replace(
        base,
        currency=base.currency or other.currency,
        scale=base.scale if base.scale is not None else other.scale,
        time_base=base.time_base or other.time_base,
        horizon_years=base.horizon_years or other.horizon_years,
        source=" / ".join(s for s in (row.source, col.source) if s),
    )


def unit_text(q: Quantity) -> str:
    """'$m', '$m per hour', '%', 'GPUs'."""
    if q.dimension == "percent":
        return "%"
    if q.dimension == "money":
        sym = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "RMB "}.get(q.currency or "", "")
        suffix = {None: "", 0: "", 3: "k", 6: "m", 9: "bn"}.get(q.scale, f"e{q.scale}")
        base = (sym + suffix).strip() or "money"
        if q.kind == "intensive" and q.per:
            base += f" per {q.per}"
        if q.time_base:
            base += f" per {q.time_base}"
        return base
    if q.dimension == "count":
        return "count"
    return ""


# --------------------------------------------------------------------------- cells

def quantity_of_labels(labels: CellLabels, number_format: str = "General", axis: str | None = None) -> Quantity:
    """The quantity a cell's labels give. ``axis="row"`` reads the row label and unit
    column only (what a row's cells share), ``axis="col"`` the column headers only."""
    row_text = " ".join(t for t in (labels.row_label, labels.units) if t)
    col_text = " ".join(labels.headers[-2:])
    if axis == "row":
        q = parse_label(row_text, number_format)
    elif axis == "col":
        q = parse_label(col_text, number_format)
    else:
        q = merge(parse_label(row_text, number_format), parse_label(col_text))
    return with_title_scale(q, labels.title)


def with_title_scale(q: Quantity, title: str | None) -> Quantity:
    """A table titled "Operating plan ($k)" states the scale of its amounts: a row
    'Hardware' or 'Revenue' without one of its own is in $k. Counts, percentages and
    per-unit figures are not amounts and keep their own units."""
    if not title or q.scale is not None or q.kind in ("count", "intensive") or q.dimension not in ("money", None):
        return q
    t = parse_label(title)
    if t.scale is None or t.currency is None or t.kind in ("count", "intensive") or t.per:
        return q
    if q.dimension is None and (not q.source or _COUNT.search(q.source) or _HOURS_QTY.search(q.source)):
        return q  # no label, or a count ("Headcount") or hours in a $k table
    return replace(q, currency=q.currency or t.currency, scale=t.scale, dimension="money",
                   explicit=q.explicit or q.kind in ("stock", "flow") or bool(q.time_base))


def unit_of(ctx: "AuditContext", sheet: str, row: int, col: int, axis: str | None = None) -> Quantity:
    """The Quantity of the cell at (row, col) as its labels and number format say."""
    cell = ctx.workbook[sheet].get(row, col)
    fmt = cell.number_format if cell is not None else "General"
    return quantity_of_labels(cell_labels(ctx, sheet, row, col), fmt, axis)


# --------------------------------------------------------------------------- algebra

@dataclass(frozen=True)
class Dim:
    """An algebraic unit: base exponents, currency, scale and the honesty flags."""

    dims: tuple[tuple[str, int], ...] = ()
    scale: int | None = 0
    currency: str | None = None
    definite: bool = True
    wild: bool = False
    stock: bool = False
    explicit: bool = False
    constant: float | None = None

    def exps(self) -> dict[str, int]:
        return dict(self.dims)

    def without_time(self) -> tuple[tuple[str, int], ...]:
        return tuple((k, v) for k, v in self.dims if k not in TIME_UNITS)

    @property
    def has_money(self) -> bool:
        return any(k == "money" for k, _ in self.dims)

    @property
    def time_known(self) -> bool:
        return self.definite and not self.wild

    def time_dims(self) -> tuple[tuple[str, int], ...]:
        return tuple((k, v) for k, v in self.dims if k in TIME_UNITS)


def _dims(d: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((k, v) for k, v in d.items() if v))


def dim_of_quantity(q: Quantity) -> Dim | None:
    """The algebraic unit of a labelled quantity; None when the labels say too little."""
    d: dict[str, int] = {}
    definite = True
    scale = q.scale
    if q.dimension == "percent":
        # a rate with a time base ("% of capex per yr", "%/yr", "% p.a.") is per year:
        # times a $m stock it is $m per year
        dims = ((q.time_base, -1),) if q.time_base else ()
        return Dim(dims, 0, None, True, False, False, q.explicit)
    if q.dimension == "money":
        d["money"] = 1
        if q.kind == "intensive" and q.per and q.per not in ("%",):
            d["n"] = -1
        if q.time_base:
            d[q.time_base] = d.get(q.time_base, 0) - 1
        elif q.kind == "flow" and not q.horizon_years:
            definite = False
        elif q.kind is None:
            definite = False
        return Dim(_dims(d), scale, q.currency, definite, False, q.kind == "stock", q.explicit)
    if q.dimension == "count":
        d["n"] = 1
        if q.time_base:
            d[q.time_base] = -1
        return Dim(_dims(d), 0 if scale is None else scale, None, q.point_in_time or bool(q.time_base),
                   False, q.point_in_time, q.explicit)
    if q.dimension in ("power", "energy"):
        d["W"] = 1
        if q.dimension == "energy":
            d["hour"] = 1
        return Dim(_dims(d), scale, None, True, False, False, True)
    if q.dimension == "time":
        return Dim((("hour", 1),), 0, None, True, False, False, True)
    if q.dimension == "years":
        return Dim((("year", 1),), 0, None, True, False, False, True)
    return None


@dataclass
class Conflict:
    """``+``/``-`` (or a SUM of separate cells) combining operands of different units."""

    op: str
    left: "Operand"
    right: "Operand"
    reason: str  # "time", "dimension", "scale", "currency"


@dataclass
class Operand:
    """A term of an expression: the cells it reads, its unit and its text."""

    dim: Dim | None
    cells: list[tuple[str, int, int]] = field(default_factory=list)
    quantity: Quantity | None = None


_SCALE_CONSTANTS = {1e3: 3, 1e6: 6, 1e9: 9, 1e12: 12}


def _is_period_constant(v: float) -> bool:
    if v <= 0:
        return False
    if float(v).is_integer() and 2 <= v <= 100:
        return True
    return any(abs(v - c) < 1e-9 for c in (365, 366, 360, 8760, 8766, 8784, 730, 730.5, 168, 1440, 3600,
                                           1 / 12, 0.25, 0.5, 1 / 52, 1 / 365))


def _scale_const(v: float) -> int | None:
    for c, k in _SCALE_CONSTANTS.items():
        if abs(v - c) < 1e-9 * c:
            return k
    return None


def add(a: Dim | None, b: Dim | None) -> tuple[Dim | None, str | None]:
    """Unit of a + b and the reason they conflict (None when they agree or are unknown)."""
    if a is None or b is None:
        return None, None
    if a.constant is not None or b.constant is not None:
        other = b if a.constant is not None else a
        if other.dims and all(k in TIME_UNITS for k, _ in other.dims):
            # 1 + a growth or interest rate per year: a factor over one period
            return replace(other, dims=(), stock=False), None
        return other, None
    reason = None
    if a.explicit and b.explicit:
        if a.without_time() != b.without_time():
            if a.has_money != b.has_money or a.without_time() and b.without_time():
                reason = "dimension"
        elif a.time_known and b.time_known and a.time_dims() != b.time_dims():
            reason = "time"
        elif a.has_money and a.scale is not None and b.scale is not None and a.scale != b.scale:
            reason = "scale"
        elif a.has_money and a.currency and b.currency and a.currency != b.currency:
            reason = "currency"
    if reason is not None:
        return None, reason
    base = a if (a.time_known or not b.time_known) else b
    other = b if base is a else a
    return replace(base, scale=base.scale if base.scale is not None else other.scale,
                   currency=base.currency or other.currency, stock=a.stock or b.stock,
                   explicit=a.explicit or b.explicit, constant=None), None


def mul(a: Dim | None, b: Dim | None, divide: bool = False) -> Dim | None:
    if a is None or b is None:
        return None
    if a.constant is not None and b.constant is not None:
        if divide:
            return Dim(constant=a.constant / b.constant if b.constant else math.nan)
        return Dim(constant=a.constant * b.constant)
    if b.constant is not None or a.constant is not None:
        unit, c = (a, b.constant) if b.constant is not None else (b, a.constant)
        assert c is not None
        if divide and b.constant is None:  # constant / unit
            d = {k: -v for k, v in unit.dims}
            return replace(unit, dims=_dims(d), scale=None, stock=False, wild=True)
        if c == 1:
            return unit
        k = _scale_const(c)
        if k is not None and unit.scale is not None:
            return replace(unit, scale=unit.scale + (k if divide else -k))
        if k is not None:
            return unit
        if _is_period_constant(c if not divide else c) or _is_period_constant(1 / c if c else 0):
            return replace(unit, wild=True, stock=False)
        return unit
    d = a.exps()
    for k, v in b.dims:
        d[k] = d.get(k, 0) + (-v if divide else v)
    scale = None
    if a.scale is not None and b.scale is not None:
        scale = a.scale - b.scale if divide else a.scale + b.scale
    return Dim(_dims(d), scale, a.currency or b.currency, a.definite and b.definite, a.wild or b.wild,
               False, a.explicit and b.explicit)


def unify(units: list[Dim | None]) -> Dim | None:
    """The unit of a list that must share one (AVERAGE, MIN, IF branches): the common
    unit, or None when they differ or one is unknown."""
    out: Dim | None = None
    for u in units:
        if u is None:
            return None
        if u.constant is not None:
            continue
        if out is None:
            out = u
        elif (out.dims, out.scale) != (u.dims, u.scale):
            return None
    return out


# --------------------------------------------------------------------------- formulas

class _Parser:
    """Recursive descent over a formula's tokens, computing units and conflicts."""

    def __init__(self, units: "UnitIndex", sheet: str, row: int, col: int, tokens: list[Token],
                 info_refs: list, depth: int) -> None:
        self.units = units
        self.sheet = sheet
        self.row = row
        self.col = col
        self.tokens = tokens
        self.refs = info_refs  # the formula's references, in the order of its range tokens
        self.n_ref = 0
        self.i = 0
        self.depth = depth
        self.conflicts: list[Conflict] = []
        self.has_division = False

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Operand:
        if not self.tokens:
            return Operand(None)
        out = self.comparison()
        if self.i != len(self.tokens):
            return Operand(None, out.cells)
        return out

    def comparison(self) -> Operand:
        left = self.concat()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value in ("=", "<", ">", "<=", ">=", "<>"):
            self.i += 1
            right = self.concat()
            left = Operand(Dim(constant=1.0), left.cells + right.cells)
        return left

    def concat(self) -> Operand:
        left = self.additive()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value == "&":
            self.i += 1
            right = self.additive()
            left = Operand(None, left.cells + right.cells)
        return left

    def additive(self) -> Operand:
        left = self.term()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value in ("+", "-"):
            self.i += 1
            right = self.term()
            dim, reason = add(left.dim, right.dim)
            if reason is not None:
                self.conflicts.append(Conflict(t.value, left, right, reason))
            left = Operand(dim, left.cells + right.cells)
        return left

    def term(self) -> Operand:
        left = self.power()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value in ("*", "/"):
            self.i += 1
            right = self.power()
            if t.value == "/":
                self.has_division = True
            left = Operand(mul(left.dim, right.dim, divide=t.value == "/"), left.cells + right.cells)
        return left

    def power(self) -> Operand:
        left = self.unary()
        while (t := self.peek()) is not None and t.type == Token.OP_IN and t.value == "^":
            self.i += 1
            right = self.unary()
            if left.dim is not None and right.dim is not None and left.dim.constant is not None \
                    and right.dim.constant is not None:
                try:
                    value = float(left.dim.constant ** right.dim.constant)
                except (OverflowError, ZeroDivisionError, ValueError):
                    value = math.nan
                left = Operand(Dim(constant=value), [])
            else:
                left = Operand(None, left.cells + right.cells)
        return left

    def unary(self) -> Operand:
        t = self.peek()
        if t is not None and t.type == Token.OP_PRE:
            self.i += 1
            inner = self.unary()
            if inner.dim is not None and inner.dim.constant is not None and t.value == "-":
                return Operand(Dim(constant=-inner.dim.constant), [])
            return inner
        out = self.primary()
        while (t := self.peek()) is not None and t.type == Token.OP_POST:
            self.i += 1
            if out.dim is not None and out.dim.constant is not None:
                out = Operand(Dim(constant=out.dim.constant / 100), [])
            elif out.dim is not None:
                out = Operand(replace(out.dim, wild=True), out.cells)
        return out

    def primary(self) -> Operand:
        t = self.peek()
        if t is None:
            return Operand(None)
        self.i += 1
        if t.type == Token.OPERAND:
            if t.subtype == Token.NUMBER:
                try:
                    return Operand(Dim(constant=float(t.value)))
                except ValueError:
                    return Operand(None)
            if t.subtype == Token.RANGE:
                k = self.n_ref
                self.n_ref += 1
                return self.reference(self.refs[k] if k < len(self.refs) else None)
            return Operand(None)
        if t.type == Token.PAREN and t.subtype == Token.OPEN:
            inner = self.comparison()
            nxt = self.peek()
            if nxt is not None and nxt.type == Token.PAREN and nxt.subtype == Token.CLOSE:
                self.i += 1
            return inner
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            return self.function(t.value[:-1].upper().removeprefix("_XLFN."))
        return Operand(None)

    def function(self, name: str) -> Operand:
        args: list[Operand] = []
        while True:
            t = self.peek()
            if t is None:
                break
            if t.type == Token.FUNC and t.subtype == Token.CLOSE:
                self.i += 1
                break
            if t.type == Token.SEP and t.subtype == Token.ARG:
                self.i += 1
                continue
            start = self.i
            args.append(self.comparison())
            if self.i == start:  # no progress: skip the token
                self.i += 1
        cells = [c for a in args for c in a.cells]
        dims = [a.dim for a in args]
        if not args:
            return Operand(None, cells)
        if name == "SUM":
            out = args[0]
            for nxt in args[1:]:
                dim, reason = add(out.dim, nxt.dim)
                if reason is not None and len(nxt.cells) == 1 and len(out.cells) >= 1:
                    self.conflicts.append(Conflict("+", out, nxt, reason))
                out = Operand(dim, out.cells + nxt.cells)
            return Operand(out.dim, cells)
        if name in ("AVERAGE", "MIN", "MAX", "MEDIAN", "SUBTOTAL", "AGGREGATE"):
            if name in ("SUBTOTAL", "AGGREGATE"):
                dims = dims[1:]
            return Operand(unify(dims), cells)
        if name in ("ROUND", "ROUNDUP", "ROUNDDOWN", "ABS", "INT", "TRUNC", "FLOOR", "CEILING", "IFERROR",
                    "N", "VALUE", "FIXED"):
            return Operand(dims[0], cells)
        if name == "SUMPRODUCT":
            out_dim = dims[0]
            for d in dims[1:]:
                out_dim = mul(out_dim, d)
            return Operand(out_dim, cells)
        if name == "PRODUCT":
            out_dim = dims[0]
            for d in dims[1:]:
                out_dim = mul(out_dim, d)
            return Operand(out_dim, cells)
        if name == "IF" and len(dims) >= 2:
            return Operand(unify(dims[1:]), cells)
        return Operand(None, cells)

    def reference(self, ref) -> Operand:
        # the formula's own parsed reference (a shared formula's token text is its anchor's)
        area = ref.resolve(self.row, self.col) if ref is not None else None
        if area is None:
            return Operand(None)
        sheet = self.sheet if area.sheet is None else self.units.sheet_name(area.sheet)
        if sheet is None:
            return Operand(None)
        if area.is_cell:
            key = (sheet, area.min_row, area.min_col)
            return Operand(self.units.operand_unit(sheet, area.min_row, area.min_col, self.depth + 1), [key])
        if area.size > 200:
            return Operand(None)
        dims = []
        keys = []
        ws = self.units.ctx.workbook[sheet]
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                cell = ws.get(r, c)
                if cell is None or not (cell.is_number or cell.has_formula):
                    continue
                keys.append((sheet, r, c))
                dims.append(self.units.operand_unit(sheet, r, c, self.depth + 1))
        return Operand(unify(dims) if dims else None, keys)


class _LeafParser(_Parser):
    """The parser over given units of the formula's references (one per reference, in
    order): the unit and the conflicts of every cell of a run whose references have
    those units, computed once."""

    def __init__(self, tokens: list[Token], leaves: tuple) -> None:
        super().__init__(None, "", 0, 0, tokens, [], 0)  # type: ignore[arg-type]
        self.leaves = leaves

    def reference(self, ref) -> Operand:
        k = self.n_ref - 1
        return Operand(self.leaves[k] if k < len(self.leaves) else None, [("", 0, k)])


@dataclass
class Derivation:
    """What a formula computes, unit-wise."""

    dim: Dim | None
    conflicts: list[Conflict]
    operands: list[tuple[str, int, int]]
    has_division: bool


_BLANK = Quantity()


@lru_cache(maxsize=65536)
def carries_units(text: str) -> bool:
    """Does a text, read as a label, say anything about units or kind ("Item 7", "Line
    12" and "big" do not; "Price", "Cost ($m)", "%", "# of GPUs" do)? A label that does
    not reads like no label at all, whatever the number format."""
    from crossfoot.understand.labels import is_unit_text

    return replace(parse_label(text), source="") != _BLANK or is_unit_text(text)


@lru_cache(maxsize=65536)
def states_unit(text: str) -> bool:
    """Can a label text state a unit explicitly ('$m', 'per year', '4y', '# of',
    'Server CapEx', '%'), alone or with a currency number format? Unit checks compare
    only explicit units, so a workbook none of whose texts can is not checked."""
    return parse_label(text).explicit or parse_label(text, "$#,##0").explicit


class _SheetText:
    """Where a sheet's label texts are, to share one declared unit among many cells.

    ``unit_rows``: rows holding a label text that carries units (``carries_units``) or
    a merged text range; a cell elsewhere reads its row label as no label, so its
    declared unit depends only on its column headers and number format. Column headers
    depend only on the nearest text above in the column (``text_rows``) and the table.
    """

    def __init__(self, ctx: "AuditContext", sheet) -> None:
        self.ctx = ctx
        self.sheet = sheet
        self._index: tuple[set[int], dict[int, list[int]]] | None = None
        # distinct texts first (one cheap pass): most sheets of a big workbook hold a
        # few hundred labels repeated down a column
        texts = {v for v in [c.value for c in sheet.cells.values()] if type(v) is str}
        self.states_units = any(states_unit(t.strip()) for t in texts)

    @cached_property
    def structure(self):
        from crossfoot.understand.structure import sheet_structure

        return sheet_structure(self.ctx, self.sheet)

    @cached_property
    def labels(self):
        from crossfoot.understand.labels import sheet_labels

        return sheet_labels(self.ctx, self.sheet)

    @property
    def unit_rows(self) -> set[int]:
        return self._build()[0]

    @property
    def text_rows(self) -> dict[int, list[int]]:
        return self._build()[1]

    def _build(self) -> tuple[set[int], dict[int, list[int]]]:
        if self._index is not None:
            return self._index
        from crossfoot.understand.labels import _text_of  # noqa: PLC2701

        sheet = self.sheet
        unit_rows: set[int] = set()
        text_rows: dict[int, list[int]] = {}
        for cell in sheet.cells.values():
            if type(cell.value) is not str or cell._formula is not None or cell.shared is not None:
                continue  # numbers, errors and formula results are not labels
            text = _text_of(cell)
            if text is None:
                continue
            text_rows.setdefault(cell.col, []).append(cell.row)
            if carries_units(text):
                unit_rows.add(cell.row)
        for rng in sheet.merged:
            unit_rows.update(range(rng.min_row, rng.max_row + 1))
            for c in range(rng.min_col, rng.max_col + 1):
                text_rows.setdefault(c, []).extend(range(rng.min_row, rng.max_row + 1))
        for rows in text_rows.values():
            rows.sort()
        self._index = (unit_rows, text_rows)
        return self._index

    def header_key(self, row: int, col: int) -> tuple[int, int, int] | None:
        """(column, nearest text row above, table): cells with one key read the same
        column headers. None outside any table."""
        from bisect import bisect_left

        block = self.structure.block_at(row, col)
        if block is None:
            return None
        rows = self.text_rows.get(col, ())
        i = bisect_left(rows, row)
        return (col, rows[i - 1] if i else 0, id(block))


class UnitIndex:
    """Declared and derived units of a workbook's cells, cached per audit."""

    MAX_DEPTH = 12

    def __init__(self, ctx: "AuditContext") -> None:
        self.ctx = ctx
        self._names = {s.lower(): s for s in ctx.workbook.sheets}
        self._declared: dict[tuple[str, int, int], Dim | None] = {}
        self._quantity: dict[tuple[str, int, int], Quantity] = {}
        self._derived: dict[tuple[str, int, int], Derivation] = {}
        self._busy: set[tuple[str, int, int]] = set()
        self._texts: dict[str, _SheetText] = {}
        self._by_header: dict[tuple, Dim | None] = {}
        self._leaf_memo: dict[tuple, tuple[bool, Dim | None]] = {}
        self._runs: dict[str, list[tuple[FormulaInfo, list]]] = {}

    def runs(self, sheet: str) -> list[tuple[FormulaInfo, list]]:
        """``formula_runs`` of a sheet, computed once per audit."""
        hit = self._runs.get(sheet)
        if hit is None:
            hit = self._runs[sheet] = list(formula_runs(self.ctx.workbook[sheet]))
        return hit

    def states_units(self) -> bool:
        """Does any label of the workbook state a unit (``states_unit``)? Without one,
        no unit is explicit and nothing can be a unit mismatch."""
        return any(self.sheet_text(name).states_units for name in self.ctx.workbook.sheets)

    def sheet_text(self, sheet: str) -> _SheetText:
        hit = self._texts.get(sheet)
        if hit is None:
            hit = self._texts[sheet] = _SheetText(self.ctx, self.ctx.workbook[sheet])
        return hit

    def sheet_name(self, name: str) -> str | None:
        return self._names.get(name.lower())

    def quantity(self, sheet: str, row: int, col: int) -> Quantity:
        key = (sheet, row, col)
        q = self._quantity.get(key)
        if q is None:
            q = unit_of(self.ctx, sheet, row, col)
            self._quantity[key] = q
        return q

    def declared(self, sheet: str, row: int, col: int, number_format: str | None = None) -> Dim | None:
        """The unit the labels of (row, col) state. Cells whose row has no label text
        carrying units share it by column header and number format (computed once)."""
        key = (sheet, row, col)
        hit = self._declared.get(key, key)
        if hit is not key:
            return hit  # type: ignore[return-value]
        texts = self.sheet_text(sheet)
        out: Dim | None
        if row in texts.unit_rows:
            out = dim_of_quantity(self.quantity(sheet, row, col))
        else:
            hkey = texts.header_key(row, col)
            if number_format is None:
                cell = self.ctx.workbook[sheet].get(row, col)
                number_format = cell.number_format if cell is not None else "General"
            shared = (sheet, hkey, number_format)
            if hkey is None:
                out = dim_of_quantity(self.quantity(sheet, row, col))
            elif shared in self._by_header:
                out = self._by_header[shared]
            else:
                out = self._by_header[shared] = dim_of_quantity(self.header_quantity(sheet, row, col, number_format))
        self._declared[key] = out
        return out

    def screen(self, sheet: str, info: FormulaInfo, run: list) -> list[tuple[bool | None, Dim | None]]:
        """For each cell of a run (``formula_runs``): does its ``+``/``-`` combine
        different units, and what unit does it compute? Decided from the units of the
        cells it references, which cells of a run share (same column header, same number
        format, no label text carrying units in their row), so each distinct combination
        is parsed once. (None, None) where that cannot be decided (ranges, names): the
        cell is to be derived in full (``derive``)."""
        n = len(run)
        unknown: list[tuple[bool | None, Dim | None]] = [(None, None)] * n
        specs = []
        for ref in info.refs:
            spec = ref._cell_range
            if ref.kind != "cell" or spec is None:
                return unknown  # ranges and names: every cell is derived in full
            target = sheet if ref.sheet is None else self.sheet_name(ref.sheet)
            if target is None:
                return unknown
            specs.append((target, spec))
        first, last = run[0], run[-1]
        per_ref = []
        for target, (tv, ta, lv, la, _bv, _ba, _rv, _ra) in specs:
            texts = self.sheet_text(target)
            col = lv if la else first.col + lv
            lo = tv if ta else first.row + tv
            hi = tv if ta else last.row + tv
            rows = texts.text_rows.get(col, ())
            from bisect import bisect_left, bisect_right

            steady = bisect_right(rows, hi) == bisect_left(rows, lo)  # no text between the targets
            per_ref.append((target, tv, ta, lv, la, self.ctx.workbook[target].cells, texts.unit_rows, steady, {}))
        out = []
        memo = self._leaf_memo
        fp = info.fingerprint
        for cell in run:
            leaves = []
            for target, tv, ta, lv, la, cells, unit_rows, steady, by_format in per_ref:
                r = tv if ta else cell.row + tv
                c = lv if la else cell.col + lv
                t = cells.get((r, c))
                if t is None or not steady or r in unit_rows:
                    leaves.append(self.operand_unit(target, r, c, 1))
                    continue
                fmt = t.number_format
                d = by_format.get(fmt, by_format)
                if d is by_format:
                    d = by_format[fmt] = self.declared(target, r, c, fmt)
                if (t._formula is not None or t.shared is not None) and (d is None or d.scale is None):
                    d = self.operand_unit(target, r, c, 1)
                leaves.append(d)
            key = (fp, tuple(leaves))
            hit = memo.get(key)
            if hit is None:
                parser = _LeafParser(info.tokens, key[1])
                op = parser.parse()
                hit = memo[key] = (bool(parser.conflicts), op.dim)
            out.append(hit)
        return out

    def header_quantity(self, sheet: str, row: int, col: int, number_format: str) -> Quantity:
        """The quantity of (row, col) read as if its row had no label: its column
        headers (those of the first row below the nearest text above) and format."""
        texts = self.sheet_text(sheet)
        block = texts.structure.block_at(row, col)
        rows = texts.text_rows.get(col, ())
        from bisect import bisect_left

        i = bisect_left(rows, row)
        first = rows[i - 1] + 1 if i else row
        headers, cells = texts.labels._headers(first, col, block)
        return quantity_of_labels(CellLabels(None, None, headers, cells, None, texts.labels.title(block)),
                                  number_format)

    def operand_unit(self, sheet: str, row: int, col: int, depth: int) -> Dim | None:
        declared = self.declared(sheet, row, col)
        cell = self.ctx.workbook[sheet].get(row, col)
        if cell is None or not cell.has_formula or depth > self.MAX_DEPTH:
            return declared
        if declared is not None and declared.scale is not None:
            return declared
        derived = self.derive(sheet, row, col, depth).dim
        if declared is None:
            return derived
        if derived is not None and derived.constant is None and derived.scale is not None \
                and derived.without_time() == declared.without_time():
            # "Revenue" (no scale stated) computed as units x $k prices is in $k
            return replace(declared, scale=derived.scale, currency=declared.currency or derived.currency)
        return declared

    def derive(self, sheet: str, row: int, col: int, depth: int = 0) -> Derivation:
        """The unit the formula at (row, col) computes from its operands' units."""
        key = (sheet, row, col)
        hit = self._derived.get(key)
        if hit is not None:
            return hit
        cell = self.ctx.workbook[sheet].get(row, col)
        info = info_for(cell) if cell is not None else None
        if info is None or info.parse_error or key in self._busy:
            return Derivation(None, [], [], False)
        self._busy.add(key)
        try:
            parser = _Parser(self, sheet, row, col, info.tokens, info.refs, depth)
            op = parser.parse()
            out = Derivation(op.dim, parser.conflicts, op.cells, parser.has_division)
        finally:
            self._busy.discard(key)
        self._derived[key] = out
        return out


def formula_runs(sheet) -> Iterator[tuple[FormulaInfo, list]]:
    """The sheet's formula cells in runs down each column: contiguous cells with one
    formula (a shared-formula group, a copied column), with its analysis. Anything
    decided from the formula alone is decided once per run."""
    for cells in sheet.columns().values():
        run: list = []
        info: FormulaInfo | None = None
        prev = -2
        shared = None
        for cell in cells:
            if cell._formula is None:
                if cell.shared is None:
                    continue
                if cell.shared is shared and cell.row == prev + 1:
                    run.append(cell)  # the next cell of the same shared-formula group
                    prev = cell.row
                    continue
            shared = cell.shared
            this = info_for(cell)
            if this is None:
                continue
            if info is not None and cell.row == prev + 1 and (this is info or this.fingerprint == info.fingerprint):
                run.append(cell)
            else:
                if run:
                    yield info, run  # type: ignore[misc]
                run, info = [cell], this
            prev = cell.row
        if run:
            yield info, run  # type: ignore[misc]


_ADDS: dict[str, bool] = {}


def adds_terms(info: FormulaInfo) -> bool:
    """Can the formula combine terms of different units: a ``+``/``-``, or a SUM of
    several arguments (``SUM(B6, B7)``)? A formula that cannot is checked only
    against its own label. Decided once per fingerprint."""
    hit = _ADDS.get(info.fingerprint)
    if hit is None:
        if len(_ADDS) > 100_000:
            _ADDS.clear()
        hit = _ADDS[info.fingerprint] = any(t.type == Token.OP_IN and t.value in ("+", "-") for t in info.tokens) \
            or ("SUM" in info.functions and any(t.type == Token.SEP for t in info.tokens))
    return hit


def unit_index(ctx: "AuditContext") -> UnitIndex:
    return ctx.memo("units", lambda: UnitIndex(ctx))


def derived_unit(ctx: "AuditContext", sheet: str, row: int, col: int) -> Derivation:
    """The unit the formula at (row, col) computes, with the +/- conflicts found."""
    return unit_index(ctx).derive(sheet, row, col)


def dim_text(d: Dim | None) -> str:
    """A Dim in words: '$m', '$m per year', 'count', 'a pure number'."""
    if d is None:
        return "an unknown unit"
    e = d.exps()
    parts = []
    if e.get("money"):
        sym = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "RMB "}.get(d.currency or "", "$")
        parts.append(sym + {0: "", 3: "k", 6: "m", 9: "bn"}.get(d.scale if d.scale is not None else 0, ""))
    if e.get("n", 0) > 0:
        parts.append("count")
    if e.get("W"):
        parts.append("W")
    for t in TIME_UNITS:
        if e.get(t, 0) > 0:
            parts.append(f"{t}s")
    rate = any(e.get(t, 0) < 0 for t in TIME_UNITS)
    text = " ".join(parts) or ("a rate" if rate else "a pure number")
    if e.get("n", 0) < 0:
        text += " per unit"
    for t in TIME_UNITS:
        if e.get(t, 0) < 0:
            text += f" per {t}"
    return text


def cell_ref(key: tuple[str, int, int]) -> str:
    return a1(key[1], key[2])


_MONTHS = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_PERIOD = re.compile(
    rf"^\s*(?:(?:{_MONTHS})(?:[\s\-'/.]*\d{{2,4}})?|(?:q[1-4]|[1-4]q|h[12]|[12]h)(?:[\s\-'/]*(?:fy)?\s*\d{{2,4}})?|"
    r"(?:fy|cy)?\s*'?(?:19|20)\d{2}\s*[aefpb]?|(?:fy|cy)\s*'?\d{2}|(?:month|week|wk|year|yr|quarter|qtr|period|day|mo)\.?\s*\d{1,3}|"
    r"\d{4}\s*[-/]\s*\d{2,4})\s*$", re.I)


def is_period(header: object) -> bool:
    """Does a column (or row) header name a period: 'Jan', 'Q1 2024', '2023', 'FY24',
    'Month 3', a date?"""
    import datetime as dt

    if isinstance(header, (dt.date, dt.datetime)):
        return True
    if isinstance(header, (int, float)) and not isinstance(header, bool):
        return float(header).is_integer() and 1900 <= header <= 2100
    return isinstance(header, str) and bool(_PERIOD.match(header))


def format_number(value: float, percent: bool = False) -> str:
    """12000 -> '12,000'; 16333.33 -> '16,333'; 0.153 -> '0.153'; with percent 0.153 -> '15.3%'."""
    if percent and abs(value) <= 5:
        return f"{value * 100:,.1f}%"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
