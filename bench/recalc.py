"""Recalculation engines: function coverage, and the cost of measuring a fix's impact.

Two parts, each printing a table; nothing here fails a test run.

1. **Coverage**: 50 probe formulas with hand-computed answers (functions analysts use:
   aggregates, conditional sums, lookups, text, dates, finance, errors, positional
   functions) are written to a workbook without cached values and evaluated by every
   engine importable in this interpreter:

   - ``crossfoot``: crossfoot's own path (``repair.recalc.ensure_values``: the cone
     evaluator feeding the ``formulas`` engine's compiled functions);
   - ``formulas-model``: ``formulas.ExcelModel`` on the whole file;
   - ``pycel`` and ``xlcalculator`` when installed (they pin old networkx / numpy, so
     they are not crossfoot dependencies; run this script with a throwaway venv's
     python to include them; only openpyxl and xlsxwriter are needed besides the engine).

2. **Speed** (crossfoot only, or ``--speed-engines pycel,xlcalculator`` in their venv):
   a workbook of 50,003 formulas (Data: 10,000 rows of inputs and four formula columns;
   Summary: 5,000 rows reading Data, and totals over whole columns), written by
   xlsxwriter with cached values, with ``--fixes`` planted omitted-range errors
   (``G=SUM(A:D)`` instead of ``SUM(A:E)``). Times: load, impact of one fix (the first,
   with the dependency graph built, and a later one), impact of all fixes (``add_impact``),
   the share of the time spent inside the engine, and a full recalculation of the file
   as a corrected copy is (no saved values at all).

    .venv/bin/python bench/recalc.py [--rows 10000] [--fixes 20] [--skip-speed] [--skip-coverage]
    /tmp/venv-pycel/bin/python bench/recalc.py --skip-crossfoot --speed-engines pycel
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("crossfoot") is None:
    sys.path.insert(0, str(ROOT / "src"))

# -- 1. coverage ---------------------------------------------------------------------

# Inputs on sheet P: A1:A5 = 1..5; B1:B5 = 10..50; C1:C5 = a b c a b; D1 = 2024-01-31;
# E1:E5 = -100 30 40 50 20 (cash flows); F1 = "Hello World"; G1 empty.
PROBES: list[tuple[str, object]] = [
    ("=SUM(A1:A5)", 15),
    ("=AVERAGE(B1:B5)", 30),
    ("=MIN(A1:A5)*MAX(B1:B5)", 50),
    ("=COUNT(A1:C5)", 10),
    ("=COUNTA(C1:C5)", 5),
    ('=COUNTIF(C1:C5,"a")', 2),
    ('=SUMIF(C1:C5,"a",B1:B5)', 50),
    ('=SUMIFS(B1:B5,C1:C5,"b",A1:A5,">2")', 50),
    ('=AVERAGEIF(A1:A5,">2")', 4),
    ("=SUMPRODUCT(A1:A5,B1:B5)", 550),
    ("=ROUND(2/3,2)", 0.67),
    ("=ROUNDUP(2.341,1)", 2.4),
    ("=ROUNDDOWN(-2.36,1)", -2.3),
    ("=INT(-2.5)", -3),
    ("=MOD(-7,3)", 2),
    ("=ABS(-4)+SQRT(16)+POWER(2,3)", 16),
    ('=IF(A1>0,"pos","neg")', "pos"),
    ('=IFERROR(1/0,"div")', "div"),
    ('=AND(A1>0,OR(B1>50,C1="a"))', True),
    ("=VLOOKUP(3,A1:B5,2,FALSE)", 30),
    ("=HLOOKUP(10,B1:B5,3,FALSE)", 30),
    ("=INDEX(B1:B5,MATCH(4,A1:A5,0))", 40),
    ("=MATCH(30,B1:B5,0)", 3),
    ("=_xlfn.XLOOKUP(5,A1:A5,B1:B5)", 50),
    ('=LEFT(F1,5)&"!"', "Hello!"),
    ("=LEN(F1)", 11),
    ("=UPPER(MID(F1,7,5))", "WORLD"),
    ('=SUBSTITUTE(F1,"World","There")', "Hello There"),
    ('=TEXT(1234.5,"#,##0.00")', "1,234.50"),
    ("=CONCATENATE(C1,C2)", "ab"),
    ("=DATE(2024,1,31)", 45322),
    ("=EDATE(D1,1)", 45351),
    ("=YEAR(D1)*100+MONTH(D1)", 202401),
    ("=EOMONTH(D1,1)", 45351),
    ("=NPV(0.1,E2:E5)", 111.55658766),
    ("=IRR(E1:E5)", 0.15322138),
    ("=PMT(0.05/12,360,-200000)", 1073.64324602),
    ("=FV(0.05,10,-100)", 1257.78925355),
    ("=MAX(B1:B5)-LARGE(B1:B5,2)", 10),
    ("=MEDIAN(A1:A5,10)", 3.5),
    ("=STDEV(A1:A5)", 1.58113883),
    ("=SUBTOTAL(9,A1:A5)", 15),
    ("=OFFSET(A1,2,1)", 30),
    ('=INDIRECT("B4")', 40),
    ("=ROW(A3)+COLUMN(C1)", 6),
    ('=_xlfn.MAXIFS(B1:B5,C1:C5,"a")', 40),
    ('=_xlfn.IFS(A3>2,"big",TRUE,"small")', "big"),
    ('=_xlfn.TEXTJOIN("-",TRUE,C1:C3)', "a-b-c"),
    ("=G1+1", 1),
    ("=A1/0", "#DIV/0!"),
]


def write_probe_book(path: Path) -> None:
    """The probe workbook, formulas in H1:H50, without cached values (openpyxl)."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "P"
    for i in range(5):
        ws.cell(i + 1, 1, i + 1)
        ws.cell(i + 1, 2, (i + 1) * 10)
        ws.cell(i + 1, 3, "abcab"[i])
        ws.cell(i + 1, 5, [-100, 30, 40, 50, 20][i])
    ws["D1"] = dt.datetime(2024, 1, 31)
    ws["D1"].number_format = "yyyy-mm-dd"
    ws["F1"] = "Hello World"
    for i, (formula, _) in enumerate(PROBES, start=1):
        ws.cell(i, 8, formula)
    book.save(path)


def matches(got: object, want: object) -> bool:
    if isinstance(want, bool) or type(got).__name__ in ("bool", "bool_", "Boolean"):
        return str(got).strip().upper() == str(want).upper()  # numpy and xlcalculator booleans too
    if isinstance(want, (int, float)):
        try:
            x = float(got)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return math.isclose(x, want, rel_tol=1e-6, abs_tol=1e-6)
    return str(got).strip() == str(want)


def probe_crossfoot(path: Path) -> list[object]:
    from crossfoot.read import load
    from crossfoot.repair.recalc import ensure_values

    wb = load(path)
    ensure_values(wb)
    return [wb["P"].value(i, 8) for i in range(1, len(PROBES) + 1)]


def probe_formulas_model(path: Path) -> list[object]:
    import formulas

    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out = []
    for i in range(1, len(PROBES) + 1):
        key = f"'[{path.name}]P'!H{i}".upper()
        hit = next((v for k, v in solution.items() if k.upper() == key), None)
        value = getattr(hit, "value", hit)
        try:
            value = value[0, 0] if value is not None else None
        except (TypeError, IndexError):
            pass
        out.append(value)
    return out


def probe_pycel(path: Path) -> list[object]:
    import openpyxl
    from pycel import ExcelCompiler

    compiler = ExcelCompiler(excel=openpyxl.load_workbook(path))
    out = []
    for i in range(1, len(PROBES) + 1):
        try:
            out.append(compiler.evaluate(f"P!H{i}"))
        except Exception as exc:  # pycel raises its own types for unknown functions
            out.append(f"<{type(exc).__name__}>")
    return out


def probe_xlcalculator(path: Path) -> list[object]:
    from xlcalculator import Evaluator, ModelCompiler

    model = ModelCompiler().read_and_parse_archive(str(path))
    ev = Evaluator(model)
    out = []
    for i in range(1, len(PROBES) + 1):
        try:
            out.append(ev.evaluate(f"P!H{i}"))
        except Exception as exc:
            out.append(f"<{type(exc).__name__}>")
    return out


PROBERS = {"crossfoot": probe_crossfoot, "formulas-model": probe_formulas_model,
           "pycel": probe_pycel, "xlcalculator": probe_xlcalculator}
MODULES = {"crossfoot": "formulas", "formulas-model": "formulas", "pycel": "pycel",
           "xlcalculator": "xlcalculator"}


def coverage(engines: list[str], verbose: bool) -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / "recalc_probes.xlsx"
    write_probe_book(path)
    print(f"## Function coverage: {len(PROBES)} probes with hand-computed answers ({path.name})\n")
    print("| engine | right | wrong or missing | seconds |")
    print("|---|---|---|---|")
    for name in engines:
        if importlib.util.find_spec(MODULES[name]) is None:
            print(f"| {name} | not installed here | | |")
            continue
        start = time.perf_counter()
        try:
            got = PROBERS[name](path)
        except Exception as exc:  # an engine that cannot load the book at all
            print(f"| {name} | failed to load: {type(exc).__name__}: {str(exc)[:80]} | | |")
            continue
        seconds = time.perf_counter() - start
        wrong = [(f, want, g) for (f, want), g in zip(PROBES, got) if not matches(g, want)]
        shown = "; ".join(f"`{f}` gave {g!r}" for f, _, g in wrong)
        print(f"| {name} | {len(PROBES) - len(wrong)}/{len(PROBES)} | {shown} | {seconds:.2f} |")
        if verbose:
            for (f, want), g in zip(PROBES, got):
                print(f"    {f:45} want {want!r:14} got {g!r}")
    print()


# -- 2. speed ------------------------------------------------------------------------


def write_speed_book(rows: int, fixes: int) -> tuple[Path, list[int]]:
    """Data!A:E inputs, F=A*B, G=SUM(A:E) (planted rows: SUM(A:D)), H=IF(G>0,F/G,0),
    I=ROUND(H*100,2); Summary rows = rows/2: C=Data!F+A, D=IF(C>0,C*Data!G,0); totals."""
    import xlsxwriter

    OUT.mkdir(exist_ok=True)
    path = OUT / f"recalc_{rows}_{fixes}.xlsx"
    step = max(1, rows // max(fixes, 1))
    planted = [2 + i * step + step // 2 for i in range(fixes)]
    if path.exists():
        return path, planted
    book = xlsxwriter.Workbook(str(path))
    data = book.add_worksheet("Data")
    summary = book.add_worksheet("Summary")
    for c, name in enumerate(["Units", "Price", "Freight", "Duty", "Other", "Revenue", "Cost", "Ratio", "Ratio %"]):
        data.write(0, c, name)
    g_values = {}
    f_values = {}
    bad = set(planted)
    for r in range(2, rows + 2):
        vals = [(r * 7) % 13 + 1, (r * 3) % 17 + 2, (r * 5) % 11, (r * 11) % 7, (r * 13) % 5 + 1]
        for c, v in enumerate(vals):
            data.write_number(r - 1, c, v)
        f = vals[0] * vals[1]
        g = sum(vals[:4]) if r in bad else sum(vals)
        h = f / g if g > 0 else 0
        i = round(h * 100, 2)
        f_values[r], g_values[r] = f, g
        data.write_formula(r - 1, 5, f"=A{r}*B{r}", None, f)
        data.write_formula(r - 1, 6, f"=SUM(A{r}:D{r})" if r in bad else f"=SUM(A{r}:E{r})", None, g)
        data.write_formula(r - 1, 7, f"=IF(G{r}>0,F{r}/G{r},0)", None, h)
        data.write_formula(r - 1, 8, f"=ROUND(H{r}*100,2)", None, i)
    half = rows // 2
    summary.write(0, 0, "Adjustment")
    summary.write(0, 2, "Revenue")
    summary.write(0, 3, "Weighted")
    c_total = d_total = 0.0
    for r in range(2, half + 2):
        a = (r * 3) % 10
        summary.write_number(r - 1, 0, a)
        c = f_values[r] + a
        d = c * g_values[r] if c > 0 else 0
        c_total += c
        d_total += d
        summary.write_formula(r - 1, 2, f"=Data!F{r}+A{r}", None, c)
        summary.write_formula(r - 1, 3, f"=IF(C{r}>0,C{r}*Data!G{r},0)", None, d)
    t = half + 3
    summary.write(t - 1, 0, "Total")
    summary.write_formula(t - 1, 2, f"=SUM(C2:C{half + 1})", None, c_total)
    summary.write_formula(t - 1, 3, f"=SUM(D2:D{half + 1})", None, d_total)
    summary.write_formula(t - 1, 4, "=SUM(Data!G:G)", None, sum(g_values.values()))
    book.close()
    return path, planted


def speed(rows: int, fixes: int) -> None:
    from crossfoot.audit import FileReport
    from crossfoot.grid.graph import DependencyGraph
    from crossfoot.read import load
    from crossfoot.repair.impact import ImpactAnalysis, add_impact, format_impact
    from crossfoot.repair.recalc import ensure_values
    from crossfoot.rules.base import Finding, Fix

    path, planted = write_speed_book(rows, fixes)
    t0 = time.perf_counter()
    wb = load(path)
    t_load = time.perf_counter() - t0
    n_formulas = sum(1 for s in wb for c in s.cells.values() if c.has_formula)
    print(f"## Impact of fixes on {path.name}: {n_formulas:,} formulas, {len(planted)} planted errors\n")

    def findings() -> list[Finding]:
        return [Finding("omitted-range", "error", "Data", f"G{r}", "planted",
                        fix=Fix(formula=f"=SUM(A{r}:E{r})")) for r in planted]

    t0 = time.perf_counter()
    graph = DependencyGraph(wb)
    t_graph = time.perf_counter() - t0
    analysis = ImpactAnalysis(wb, graph=graph)
    first, later = planted[0], planted[-1]
    t0 = time.perf_counter()
    one = analysis.impact({("Data", first, 7): f"=SUM(A{first}:E{first})"})
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    analysis.impact({("Data", later, 7): f"=SUM(A{later}:E{later})"})
    t_later = time.perf_counter() - t0
    cone = analysis.evaluator.cone([("Data", first, 7)])

    report = FileReport(str(path), findings(), workbook=wb)
    t0 = time.perf_counter()
    combined = add_impact(report)
    t_all = time.perf_counter() - t0
    # engine share of add_impact: add_impact builds its own evaluator; time it through a
    # second analysis whose counters we can read
    report2 = FileReport(str(path), findings(), workbook=wb)
    analysis2 = ImpactAnalysis(wb, graph=graph)
    t0 = time.perf_counter()
    for f in report2.findings:
        analysis2.impact({("Data", int(f.cell[1:]), 7): f.fix.formula})  # type: ignore[union-attr]
    analysis2.impact({("Data", int(f.cell[1:]), 7): f.fix.formula for f in report2.findings})  # type: ignore[union-attr]
    t_all2 = time.perf_counter() - t0
    engine_share = analysis2.evaluator.engine_seconds / t_all2 if t_all2 else 0.0

    for cell in wb["Data"].cells.values():  # a corrected copy: no saved values at all
        if cell.has_formula:
            cell.value = None
    for cell in wb["Summary"].cells.values():
        if cell.has_formula:
            cell.value = None
    t0 = time.perf_counter()
    n = ensure_values(wb)
    t_full = time.perf_counter() - t0

    print("| step | seconds |")
    print("|---|---|")
    print(f"| load (crossfoot.read.load) | {t_load:.2f} |")
    print(f"| dependency graph | {t_graph:.2f} |")
    print(f"| impact of one fix, first (engine start-up included; cone {len(cone)} cells) | {t_first:.3f} |")
    print(f"| impact of one fix, later | {t_later:.3f} |")
    print(f"| impact of all {len(planted)} fixes, each and combined (add_impact, graph included) | {t_all:.2f} |")
    print(f"| same, on a warm graph | {t_all2:.2f} (engine {engine_share:.0%}) |")
    print(f"| recalculate all {n:,} formulas (a corrected copy has no saved values) | {t_full:.2f} |")
    total = t_load + t_all
    print(f"\nTotal, load + impact of all fixes: {total:.2f} s; share in the engine (compile + "
          f"evaluate): {engine_share:.0%} of the impact time.")
    print("One fix:", "; ".join(format_impact(i) for i in one))
    print("All fixes:", "; ".join(format_impact(i) for i in combined[:4]), "...")
    print()


def speed_other(engine: str, rows: int, fixes: int) -> None:
    """Load the same book with pycel or xlcalculator, change one formula, evaluate its cone."""
    path, planted = write_speed_book(rows, fixes)
    r = planted[0]
    outputs = [f"Data!G{r}", f"Data!H{r}", f"Data!I{r}"]
    half = rows // 2
    if r <= half + 1:
        outputs.append(f"Summary!D{r}")
    outputs.append(f"Summary!D{half + 3}")
    t0 = time.perf_counter()
    if engine == "pycel":
        import openpyxl
        from pycel import ExcelCompiler

        book = openpyxl.load_workbook(path)
        t_load = time.perf_counter() - t0
        book["Data"][f"G{r}"].value = f"=SUM(A{r}:E{r})"
        t0 = time.perf_counter()
        xc = ExcelCompiler(excel=book)
        values = [xc.evaluate(o) for o in outputs]
    else:
        from xlcalculator import Evaluator, ModelCompiler
        from xlcalculator.xltypes import XLFormula

        model = ModelCompiler().read_and_parse_archive(str(path))
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        key = f"Data!G{r}"
        model.cells[key].formula = XLFormula(f"=SUM(A{r}:E{r})", sheet_name="Data", reference=key)
        model.build_code()
        ev = Evaluator(model)
        values = [ev.evaluate(o) for o in outputs]
    t_eval = time.perf_counter() - t0
    print(f"| {engine} | load {t_load:.1f} s | one fix + evaluate {len(outputs)} outputs {t_eval:.1f} s | "
          f"{', '.join(f'{o}={v}' for o, v in zip(outputs, values))} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--fixes", type=int, default=20)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-coverage", action="store_true")
    ap.add_argument("--skip-crossfoot", action="store_true", help="in a venv without crossfoot's dependencies")
    ap.add_argument("--speed-engines", default="", help="also time pycel,xlcalculator on the speed book")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    engines = ["pycel", "xlcalculator"] if args.skip_crossfoot else list(PROBERS)
    if not args.skip_coverage:
        coverage(engines, args.verbose)
    if not args.skip_speed and not args.skip_crossfoot:
        speed(args.rows, args.fixes)
    for engine in filter(None, args.speed_engines.split(",")):
        speed_other(engine.strip(), args.rows, args.fixes)


if __name__ == "__main__":
    main()
