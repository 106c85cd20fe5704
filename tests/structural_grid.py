"""Write small workbooks for the structural-rule tests: formulas with cached values."""

from __future__ import annotations

from pathlib import Path

from crossfoot.grid.address import parse_a1


def write(path: Path, sheets: dict[str, dict[str, object]]) -> Path:
    """``{"Sheet1": {"A1": "label", "B2": 5, "C2": ("=B2*2", 10)}}`` -> .xlsx."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, cells in sheets.items():
        ws = book.add_worksheet(name)
        for addr, v in cells.items():
            r, c = parse_a1(addr)
            if isinstance(v, tuple):
                ws.write_formula(r - 1, c - 1, v[0], None, v[1])
            elif isinstance(v, str):
                ws.write_string(r - 1, c - 1, v)
            else:
                ws.write_number(r - 1, c - 1, v)
    book.close()
    return path


def fleet(total_formulas: list[str] | None = None, h100_capex: float = 300) -> dict[str, object]:
    """A clean four-GPU table (B..E) with a Total column F summing all four."""
    cells: dict[str, object] = {"A1": "GPU fleet", "B2": "A100", "C2": "H20", "D2": "H800", "E2": "H100", "F2": "Total",
                                "A3": "# of GPUs", "A4": "Server CapEx ($m)", "A5": "Cost to operate ($m)"}
    gpus = [10000, 30000, 10000, 10000]
    capex = [200, 750, 350, h100_capex]
    opex = [164, 348, 203, 229]
    for i, col in enumerate("BCDE"):
        cells[f"{col}3"] = gpus[i]
        cells[f"{col}4"] = capex[i]
        cells[f"{col}5"] = opex[i]
    rows = {3: gpus, 4: capex, 5: opex}
    formulas = total_formulas or [f"=SUM(B{r}:E{r})" for r in (3, 4, 5)]
    for r, f in zip((3, 4, 5), formulas):
        n = 4 if "E" in f else 3
        cells[f"F{r}"] = (f, float(sum(rows[r][:n])))
    return cells
