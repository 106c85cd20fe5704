"""The models as workbooks with live formulas.

Each workbook keeps its inputs on an ``Inputs`` sheet (numbers only, units in every
label), its arithmetic on a ``Calculations`` sheet (formulas only, each row or column one
formula pattern), and where every input comes from on a ``Sources`` sheet. Totals add up
stocks and flows with SUM and weight per-unit figures with SUMPRODUCT/SUM. Cached values
are the Python model's numbers, so a reader that does not recalculate sees them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from crossfoot.grid.address import column_letter
from crossfoot.models.fund import FundResult
from crossfoot.models.tco import LABELS, TcoResult

M = 1e6

FORMATS = {
    "count": "#,##0",
    "money": "#,##0.0",
    "dollars": "#,##0",
    "share": "0.0%",
    "ratio": "0.00",
    "rate": "0.0000",
    "per_unit": "0.0000",
    "year": "0",
    # A rate per year (a share of a stock charged each year) is shown as a decimal, not a
    # percentage: crossfoot's unit reading takes a percentage as a pure number.
    "yearly_rate": "0.000",
}


class _Book:
    """A thin wrapper over xlsxwriter that remembers formats."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path))
        self.bold = self.book.add_format({"bold": True})
        self.title = self.book.add_format({"bold": True, "font_size": 12})
        self.formats = {k: self.book.add_format({"num_format": v}) for k, v in FORMATS.items()}
        self.bold_formats = {k: self.book.add_format({"num_format": v, "bold": True}) for k, v in FORMATS.items()}

    def sheet(self, name: str):
        return self.book.add_worksheet(name)

    def fmt(self, kind: str, bold: bool = False):
        return (self.bold_formats if bold else self.formats)[kind]

    def close(self) -> None:
        self.book.close()


@dataclass
class _Row:
    key: str
    label: str
    fmt: str
    formula: Callable[[str], str]       # column letter -> formula (with '=')
    value: Callable[[str], float]       # scope (type name / "total") -> cached value
    total: str = "sum"                  # "sum", or "ratio": the row's own formula on the totals


def write_tco_xlsx(result: TcoResult, path: str | Path) -> Path:
    """Write the fleet model: Inputs (per type), Calculations (per type and the fleet),
    Groups (subtotals, when the fleet names any) and Sources."""
    path = Path(path)
    fleet = result.fleet
    types = fleet.types
    out = result.outputs
    n = len(types)
    first, last = column_letter(2), column_letter(1 + n)
    total_col = column_letter(2 + n)

    any_given = any(t.opex_given for t in types)
    any_computed = any(not t.opex_given for t in types)
    mixed = any_given and any_computed
    any_dc = any(t.inputs["dc_build_per_mw"].value > 0 for t in types)
    need_power = any_computed or any_dc

    def val(t, key, default=0.0):
        s = t.inputs.get(key)
        return default if s is None else s.value

    def server_per_gpu(t):
        if t.server_from_price:
            return val(t, "gpu_price") * val(t, "server_overhead")
        return val(t, "server_cost_per_gpu")

    def given_over_life(t):
        if t.opex_given == "opex_over_life":
            return val(t, "opex_over_life") / M
        if t.opex_given == "opex_per_year":
            return val(t, "opex_per_year") * val(t, "life_years") / M
        return 0.0

    # ---- Inputs sheet: scalars on top, then one column per type
    scalars = [("hours", "Hours per year (h/yr)", fleet.hours_per_year.value, "count")]
    if any_computed:
        scalars.append(("months", "Months per year (months/yr)", 12, "count"))
    inputs: list[tuple[str, str, str, Callable]] = [
        ("count", "GPUs (count)", "count", lambda t: val(t, "count")),
        ("server_cost_per_gpu", "Server capex per GPU ($/GPU)", "dollars", server_per_gpu),
        ("networking_share", "Networking share (share of capex)", "share", lambda t: val(t, "networking_share")),
    ]
    if need_power:
        inputs += [
            ("gpu_power_kw", "GPU power (kW)", "rate", lambda t: val(t, "gpu_power_w") / 1000),
            ("server_power_ratio", "Server power ratio (x GPU power)", "ratio", lambda t: val(t, "server_power_ratio")),
        ]
    if any_computed:
        inputs += [
            ("load_factor", "Load factor (share of peak power)", "share", lambda t: val(t, "load_factor")),
            ("pue", "PUE (facility / IT power)", "ratio", lambda t: val(t, "pue", 1.0)),
            ("electricity_per_kwh", "Electricity ($/kWh)", "rate", lambda t: val(t, "electricity_per_kwh")),
            ("colocation_per_kw_month", "Colocation ($/kW-month)", "money", lambda t: val(t, "colocation_per_kw_month")),
            ("maintenance", "Maintenance rate on capex (per yr)", "yearly_rate", lambda t: val(t, "maintenance")),
            ("other_opex_per_gpu_year", "Other operating cost ($/GPU-yr)", "dollars",
             lambda t: val(t, "other_opex_per_gpu_year")),
        ]
    if any_dc:
        inputs.append(("dc_build_per_mw", "Datacentre build ($/MW)", "dollars", lambda t: val(t, "dc_build_per_mw")))
    if any_given:
        inputs.append(("given_opex", "Operating cost over the life, given ($m)", "money", given_over_life))
    if mixed:
        inputs.append(("opex_is_given", "Operating cost given (1 = yes, 0 = computed)", "count",
                       lambda t: 1 if t.opex_given else 0))
    inputs += [
        ("life_years", "Life (years)", "ratio", lambda t: val(t, "life_years")),
        ("cost_of_capital", "Cost of capital (per yr)", "share", lambda t: val(t, "cost_of_capital")),
        ("utilisation", "Utilisation (share of hours)", "share", lambda t: val(t, "utilisation")),
    ]

    wb = _Book(path)
    ws = wb.sheet("Inputs")
    ws.write(0, 0, f"Inputs: {fleet.title}", wb.title)
    scalar_cell: dict[str, str] = {}
    r = 2
    for key, label, value, kind in scalars:
        ws.write(r, 0, label)
        ws.write_number(r, 1, value, wb.fmt(kind))
        scalar_cell[key] = f"Inputs!$B${r + 1}"
        r += 1
    r += 1
    header_row = r
    ws.write(header_row, 0, "Input", wb.bold)
    for j, t in enumerate(types):
        ws.write(header_row, 1 + j, t.name, wb.bold)
    input_row: dict[str, int] = {}
    for i, (key, label, kind, fn) in enumerate(inputs):
        rr = header_row + 1 + i
        input_row[key] = rr + 1
        ws.write(rr, 0, label)
        for j, t in enumerate(types):
            ws.write_number(rr, 1 + j, float(fn(t)), wb.fmt(kind))
    ws.set_column(0, 0, 46)
    ws.set_column(1, n, 13)

    def I(key: str) -> Callable[[str], str]:
        return lambda c: f"Inputs!{c}{input_row[key]}"

    # ---- Calculations sheet
    rows: list[_Row] = []
    calc_row: dict[str, int] = {}
    first_calc = 3

    def C(key: str, c: str) -> str:
        return f"{c}{calc_row[key]}"

    def add(key, label, fmt, formula, value, total="sum"):
        calc_row[key] = first_calc + len(rows)
        rows.append(_Row(key, label, fmt, formula, value, total))

    def o(key, scale=1.0):
        return lambda scope: out[scope][key] / scale

    add("gpus", "GPUs (count)", "count", lambda c: f"={I('count')(c)}", o("gpus"))
    if need_power:
        add("it_power_kw", "IT power (kW)", "dollars",
            lambda c: f"={C('gpus', c)}*{I('gpu_power_kw')(c)}*{I('server_power_ratio')(c)}", o("it_power_kw"))
    add("server_capex", "Server capex ($m)", "money",
        lambda c: f"={C('gpus', c)}*{I('server_cost_per_gpu')(c)}/10^6", o("server_capex", M))
    add("networking_capex", "Networking capex ($m)", "money",
        lambda c: f"={C('server_capex', c)}*{I('networking_share')(c)}/(1-{I('networking_share')(c)})",
        o("networking_capex", M))
    if any_dc:
        add("facility_capex", "Facility capex ($m)", "money",
            lambda c: f"={C('it_power_kw', c)}/1000*{I('dc_build_per_mw')(c)}/10^6", o("facility_capex", M))
    capex_parts = ["server_capex", "networking_capex"] + (["facility_capex"] if any_dc else [])
    add("capex", "Capex ($m)", "money", lambda c: "=" + "+".join(C(k, c) for k in capex_parts), o("capex", M))
    add("capex_per_gpu", "Capex per GPU ($/GPU)", "dollars", lambda c: f"={C('capex', c)}*10^6/{C('gpus', c)}",
        o("capex_per_gpu"), "ratio")
    opex_parts = []

    def computed_only(formula: Callable[[str], str]) -> Callable[[str], str]:
        """In a fleet mixing given and computed operating costs, a component is zero
        for the types whose operating cost is given."""
        if not mixed:
            return formula
        return lambda c: f"=(1-{I('opex_is_given')(c)})*({formula(c)[1:]})"

    if any_computed:
        add("energy", "Energy ($m/yr)", "money",
            computed_only(lambda c: (f"={C('it_power_kw', c)}*{I('load_factor')(c)}*{I('pue')(c)}*{scalar_cell['hours']}"
                       f"*{I('electricity_per_kwh')(c)}/10^6")), o("energy", M))
        add("colocation", "Colocation ($m/yr)", "money",
            computed_only(lambda c: f"={C('it_power_kw', c)}*{I('colocation_per_kw_month')(c)}*{scalar_cell['months']}/10^6"),
            o("colocation", M))
        add("maintenance", "Maintenance ($m/yr)", "money",
            computed_only(lambda c: f"={I('maintenance')(c)}*({C('server_capex', c)}+{C('networking_capex', c)})"), o("maintenance", M))
        add("other_opex", "Other operating cost ($m/yr)", "money",
            computed_only(lambda c: f"={C('gpus', c)}*{I('other_opex_per_gpu_year')(c)}/10^6"), o("other_opex", M))
        opex_parts = ["energy", "colocation", "maintenance", "other_opex"]

    def opex_formula(c: str) -> str:
        computed = "+".join(C(k, c) for k in opex_parts)
        given = f"{I('given_opex')(c)}/{I('life_years')(c)}" if any_given else ""
        if mixed:
            return f"=IF({I('opex_is_given')(c)}=1,{given},{computed})"
        return f"={given}" if any_given else f"={computed}"

    add("opex_per_year", "Operating cost ($m/yr)", "money", opex_formula, o("opex_per_year", M))
    add("capital_charge", "Capital charge ($m/yr)", "money",
        lambda c: (f"=IF({I('cost_of_capital')(c)}=0,{C('capex', c)}/{I('life_years')(c)},"
                   f"{C('capex', c)}*{I('cost_of_capital')(c)}/(1-(1+{I('cost_of_capital')(c)})^-{I('life_years')(c)}))"),
        o("capital_charge", M))
    add("tco_per_year", "TCO per year ($m/yr)", "money",
        lambda c: f"={C('capital_charge', c)}+{C('opex_per_year', c)}", o("tco_per_year", M))
    add("opex_over_life", "Operating cost over the life ($m)", "money",
        lambda c: f"={C('opex_per_year', c)}*{I('life_years')(c)}", o("opex_over_life", M))
    add("tco_over_life", "TCO over the life ($m)", "money",
        lambda c: f"={C('tco_per_year', c)}*{I('life_years')(c)}", o("tco_over_life", M))
    add("gpu_hours", "GPU-hours (m GPU-h/yr)", "money",
        lambda c: f"={C('gpus', c)}*{scalar_cell['hours']}*{I('utilisation')(c)}/10^6", o("gpu_hours_per_year", M))
    add("cost_per_gpu_hour", "Cost per GPU-hour ($/GPU-h)", "rate",
        lambda c: f"={C('tco_per_year', c)}/{C('gpu_hours', c)}", o("cost_per_gpu_hour"), "ratio")

    def total_formula(row: _Row, lo: str, hi: str, own: str, sheet: str = "") -> str:
        """Stocks and flows: SUM. Per-unit figures: the row's own formula applied to the
        totals above it (a ratio of sums: the GPU- or GPU-hour-weighted average)."""
        rr = calc_row[row.key]
        if row.total == "ratio":
            return row.formula(own)
        return f"=SUM({sheet}{lo}{rr}:{hi}{rr})"

    ws = wb.sheet("Calculations")
    ws.write(0, 0, f"Calculations: {fleet.title}", wb.title)
    ws.write(first_calc - 2, 0, "Output", wb.bold)
    for j, t in enumerate(types):
        ws.write(first_calc - 2, 1 + j, t.name, wb.bold)
    ws.write(first_calc - 2, 1 + n, "Fleet", wb.bold)
    for row in rows:
        rr = calc_row[row.key]
        ws.write(rr - 1, 0, row.label)
        for j, t in enumerate(types):
            c = column_letter(2 + j)
            ws.write_formula(rr - 1, 1 + j, row.formula(c), wb.fmt(row.fmt), float(row.value(t.name)))
        ws.write_formula(rr - 1, 1 + n, total_formula(row, first, last, total_col), wb.fmt(row.fmt, True),
                         float(row.value("total")))
    ws.set_column(0, 0, 36)
    ws.set_column(1, n + 1, 13)

    # ---- Groups sheet: subtotals of named sets of types
    if fleet.groups:
        ws = wb.sheet("Groups")
        ws.write(0, 0, f"Subtotals: {fleet.title}", wb.title)
        ws.write(first_calc - 2, 0, "Output", wb.bold)
        letters = {t.name: column_letter(2 + j) for j, t in enumerate(types)}
        groups = dict(fleet.groups)
        groups["Fleet"] = [t.name for t in types]
        for g, (gname, members) in enumerate(groups.items()):
            ws.write(first_calc - 2, 1 + g, gname if gname == "Fleet" else f"{gname} ({', '.join(members)})",
                     wb.bold)
        for row in rows:
            rr = calc_row[row.key]
            ws.write(rr - 1, 0, row.label)
            for g, (gname, members) in enumerate(groups.items()):
                cols = sorted(letters[m] for m in members)
                idx = sorted(2 + [t.name for t in types].index(m) for m in members)
                own = column_letter(2 + g)
                if row.total == "ratio":
                    formula = row.formula(own)
                elif idx == list(range(idx[0], idx[-1] + 1)):
                    formula = total_formula(row, column_letter(idx[0]), column_letter(idx[-1]), own, "Calculations!")
                else:
                    formula = "=" + "+".join(f"Calculations!{c}{rr}" for c in cols)
                ws.write_formula(rr - 1, 1 + g, formula, wb.fmt(row.fmt),
                                 float(row.value("total" if gname == "Fleet" else gname)))
        ws.set_column(0, 0, 36)
        ws.set_column(1, len(groups), 26)

    _sources_sheet(wb, result.inputs_table())
    wb.close()
    return path


def _sources_sheet(wb: _Book, table: list[dict[str, Any]]) -> None:
    ws = wb.sheet("Sources")
    headers = ["Type", "Input", "Value", "Unit", "Provenance", "Note", "Source", "Date"]
    for j, h in enumerate(headers):
        ws.write(0, j, h, wb.bold)
    for i, row in enumerate(table, start=1):
        ws.write_string(i, 0, str(row["type"]))
        ws.write_string(i, 1, str(row.get("label", row["input"])))
        ws.write_number(i, 2, float(row["value"]))
        ws.write_string(i, 3, str(row["unit"]))
        ws.write_string(i, 4, str(row.get("provenance") or row.get("origin", "")))
        ws.write_string(i, 5, str(row.get("note") or ""))
        ws.write_string(i, 6, str(row.get("source") or row.get("origin", "")))
        ws.write_string(i, 7, str(row.get("date") or ""))
    ws.set_column(0, 1, 18)
    ws.set_column(2, 4, 14)
    ws.set_column(5, 6, 60)


# ----------------------------------------------------------------------------- fund

FEE_LABELS = {
    "management_fee": "Management fee rate on average AUM (per yr)",
    "performance_fee": "Performance fee (share of gain above the high-water mark)",
    "hurdle": "Hurdle (per yr)",
    "channel_share": "Channel share (share of management fee)",
    "opex_share_of_aum": "Operating cost rate on average AUM (per yr)",
    "reinvested_share": "Reinvested share (share of net fee income)",
}


def write_fund_xlsx(result: FundResult, path: str | Path) -> Path:
    """Write the fund model: Inputs (fees and the yearly series), Calculations (one row
    per year after an opening row, a Total row) and Sources."""
    path = Path(path)
    inp = result.inputs
    cols = result.columns
    years = cols["year"]
    flows = inp.mode == "flows"
    wb = _Book(path)

    # ---- Inputs
    ws = wb.sheet("Inputs")
    ws.write(0, 0, f"Inputs: {inp.name}", wb.title)
    cell: dict[str, str] = {}
    scalar_rows = [(k, FEE_LABELS[k], inp.fees[k].value,
                    "yearly_rate" if k in ("management_fee", "opex_share_of_aum") else "share") for k in FEE_LABELS]
    scalar_rows.append(("hwm_flag", "High-water mark applies (1 = yes, 0 = no)", 1 if inp.high_water_mark else 0, "count"))
    scalar_rows.append(("opening_nav_pu", "Opening NAV per unit (per unit)", 1.0, "per_unit"))
    if flows:
        scalar_rows.append(("opening_nav_m", "Opening NAV ($m)", inp.opening_nav_bn.value * 1000, "money"))
    r = 2
    for key, label, value, kind in scalar_rows:
        ws.write(r, 0, label)
        ws.write_number(r, 1, float(value), wb.fmt(kind))
        cell[key] = f"Inputs!$B${r + 1}"
        r += 1
    r += 1
    series_header = r
    # Gross return before AUM here, AUM before gross return on Calculations: each
    # Calculations column then reads its own input column, not a run copied along the row.
    series = [("year", "Year", "year"), ("gross_return", "Gross return (per yr)", "share"),
              ("flow", "Net flow at start of year ($m)", "money") if flows else ("aum", "Average AUM ($m)", "money"),
              ("opex_m", "Other operating costs ($m/yr)", "money")]
    for j, (_, label, _) in enumerate(series):
        ws.write(series_header, j, label, wb.bold)
    first_series = series_header + 2  # 1-based row of the first year
    for i, y in enumerate(inp.years):
        values = {"year": y.year, "gross_return": y.gross_return.value,
                  "aum": y.aum_bn.value * 1000 if y.aum_bn else 0.0,
                  "flow": y.flow_bn.value * 1000 if y.flow_bn else 0.0,
                  "opex_m": y.opex_m.value if y.opex_m else 0.0}
        for j, (key, _, kind) in enumerate(series):
            ws.write_number(series_header + 1 + i, j, float(values[key]), wb.fmt(kind))
    series_col = {key: column_letter(1 + j) for j, (key, _, _) in enumerate(series)}
    ws.set_column(0, 0, 52)
    ws.set_column(1, len(series), 16)

    # ---- Calculations: columns are quantities, rows are years
    spec: list[tuple[str, str, str]] = [
        ("year", "Year", "year"),
        ("average_aum", "Average AUM ($m)", "money"),
        ("gross_return", "Gross return (per yr)", "share"),
        ("nav_start", "NAV per unit, start (per unit)", "per_unit"),
        ("nav_gross", "Gross NAV per unit (per unit)", "per_unit"),
        ("management_fee_per_unit", "Management fee per unit (per unit)", "per_unit"),
        ("nav_before_performance_fee", "NAV before performance fee (per unit)", "per_unit"),
        ("hwm_start", "High-water mark, start (per unit)", "per_unit"),
        ("hurdle_level", "Hurdle level (per unit)", "per_unit"),
        ("performance_fee_per_unit", "Performance fee per unit (per unit)", "per_unit"),
        ("nav_end", "NAV per unit, end (per unit)", "per_unit"),
        ("high_water_mark", "High-water mark, end (per unit)", "per_unit"),
        ("net_return", "Net return to investors (per yr)", "share"),
        ("units", "Units (m units)", "money"),
    ]
    if flows:
        spec.append(("nav_money_end", "NAV at end of year ($m)", "money"))
    spec += [
        ("management_fee", "Management fee ($m/yr)", "money"),
        ("performance_fee", "Performance fee ($m/yr)", "money"),
        ("revenue", "Fee revenue ($m/yr)", "money"),
        ("channel", "Channel share ($m/yr)", "money"),
        ("opex", "Operating costs ($m/yr)", "money"),
        ("net_revenue", "Net fee income ($m/yr)", "money"),
        ("reinvestable", "Cash to reinvest ($m/yr)", "money"),
        ("cumulative_reinvestable", "Cumulative cash to reinvest ($m)", "money"),
    ]
    L = {key: column_letter(1 + j) for j, (key, _, _) in enumerate(spec)}
    header = 2                  # 0-based row of the header
    opening = header + 1        # 0-based row of the opening state
    first_year_row = opening + 2  # 1-based row of the first year

    def formulas(rr: int) -> dict[str, str]:
        """Formulas of the year on 1-based row ``rr`` (the previous row is rr - 1)."""
        p = rr - 1
        s = first_series + (rr - first_year_row)  # the year's row on the Inputs sheet
        f = {
            "year": f"=Inputs!{series_col['year']}{s}",
            "gross_return": f"=Inputs!{series_col['gross_return']}{s}",
            "nav_start": f"={L['nav_end']}{p}",
            "nav_gross": f"={L['nav_start']}{rr}*(1+{L['gross_return']}{rr})",
            "management_fee_per_unit": f"={cell['management_fee']}*({L['nav_start']}{rr}+{L['nav_gross']}{rr})/2",
            "nav_before_performance_fee": f"={L['nav_gross']}{rr}-{L['management_fee_per_unit']}{rr}",
            "hwm_start": f"={L['high_water_mark']}{p}",
            "hurdle_level": (f"=IF({cell['hwm_flag']}=1,MAX({L['hwm_start']}{rr},{L['hurdle_level']}{p}),"
                             f"{L['nav_start']}{rr})*(1+{cell['hurdle']})"),
            "performance_fee_per_unit": (f"={cell['performance_fee']}*MAX(0,{L['nav_before_performance_fee']}{rr}"
                                         f"-{L['hurdle_level']}{rr})"),
            "nav_end": f"={L['nav_before_performance_fee']}{rr}-{L['performance_fee_per_unit']}{rr}",
            "high_water_mark": f"=MAX({L['hwm_start']}{rr},{L['nav_end']}{rr})",
            "net_return": f"={L['nav_end']}{rr}/{L['nav_start']}{rr}-1",
            "management_fee": f"={cell['management_fee']}*{L['average_aum']}{rr}",
            "performance_fee": f"={L['performance_fee_per_unit']}{rr}*{L['units']}{rr}",
            "revenue": f"={L['management_fee']}{rr}+{L['performance_fee']}{rr}",
            "channel": f"={cell['channel_share']}*{L['management_fee']}{rr}",
            "opex": f"={cell['opex_share_of_aum']}*{L['average_aum']}{rr}+Inputs!{series_col['opex_m']}{s}",
            "net_revenue": f"={L['revenue']}{rr}-{L['channel']}{rr}-{L['opex']}{rr}",
            "reinvestable": (f"=IF({L['net_revenue']}{rr}>0,{cell['reinvested_share']}*{L['net_revenue']}{rr},"
                             f"{L['net_revenue']}{rr})"),
            "cumulative_reinvestable": f"=SUM({L['reinvestable']}${first_year_row}:{L['reinvestable']}{rr})",
        }
        avg_pu = f"({L['nav_start']}{rr}+{L['nav_gross']}{rr})/2"
        if flows:
            f["units"] = f"=({L['nav_money_end']}{p}+Inputs!{series_col['flow']}{s})/{L['nav_start']}{rr}"
            f["average_aum"] = f"={L['units']}{rr}*{avg_pu}"
            f["nav_money_end"] = f"={L['units']}{rr}*{L['nav_end']}{rr}"
        else:
            f["average_aum"] = f"=Inputs!{series_col['aum']}{s}"
            f["units"] = f"={L['average_aum']}{rr}/({avg_pu})"
        return f

    ws = wb.sheet("Calculations")
    ws.write(0, 0, f"Calculations: {inp.name}", wb.title)
    for j, (_, label, _) in enumerate(spec):
        ws.write(header, j, label, wb.bold)
    # The opening state: NAV and mark per unit (and NAV in $m) before the first year.
    ws.write(opening, 0, "Opening", wb.bold)
    opening_cells = {"nav_end": cell["opening_nav_pu"], "high_water_mark": cell["opening_nav_pu"],
                     "hurdle_level": cell["opening_nav_pu"]}
    if flows:
        opening_cells["nav_money_end"] = cell["opening_nav_m"]
    for key, ref in opening_cells.items():
        j = [k for k, _, _ in spec].index(key)
        v = inp.opening_nav_bn.value * 1000 if key == "nav_money_end" else 1.0
        ws.write_formula(opening, j, f"={ref}", wb.fmt(spec[j][2]), v)
    hwm_start = [1.0] + cols["high_water_mark"][:-1]
    nav_money = [u * n for u, n in zip(cols["units"], cols["nav_end"])]
    for i in range(len(years)):
        rr = first_year_row + i
        f = formulas(rr)
        for j, (key, _, kind) in enumerate(spec):
            if key == "hwm_start":
                v = hwm_start[i]
            elif key == "nav_money_end":
                v = nav_money[i]
            else:
                v = cols[key][i]
            ws.write_formula(rr - 1, j, f[key], wb.fmt(kind), float(v))
    total_row = first_year_row + len(years)
    ws.write(total_row - 1, 0, "Total", wb.bold)
    last_year_row = total_row - 1
    for key in ("management_fee", "performance_fee", "revenue", "channel", "opex", "net_revenue", "reinvestable"):
        j = [k for k, _, _ in spec].index(key)
        c = L[key]
        ws.write_formula(total_row - 1, j, f"=SUM({c}{first_year_row}:{c}{last_year_row})", wb.fmt("money", True),
                         float(sum(cols[key])))
    ws.set_column(0, len(spec), 15)
    ws.set_row(header, 45, wb.book.add_format({"text_wrap": True, "bold": True}))

    table = []
    for k, s in inp.fees.items():
        table.append({"type": "fund", "input": k, "label": FEE_LABELS[k], **s.to_dict()})
    for y in inp.years:
        for name, s, scale, unit in (("gross_return", y.gross_return, 1, "per yr"), ("aum", y.aum_bn, 1000, "$m"),
                                     ("flow", y.flow_bn, 1000, "$m"), ("opex_m", y.opex_m, 1, "$m/yr")):
            if s is not None:
                d = s.to_dict()
                d.update(value=s.value * scale, unit=unit)
                table.append({"type": str(y.year), "input": name, "label": name.replace("_", " "), **d})
    _sources_sheet(wb, table)
    wb.close()
    return path

__all__ = ["LABELS", "write_fund_xlsx", "write_tco_xlsx"]
