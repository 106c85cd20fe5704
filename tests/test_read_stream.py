"""Streaming read: every cell reaches the callback exactly as the grid reader keeps it,
and nothing is kept."""

import pytest
import xlsxwriter

from crossfoot.read import ReadError, load
from crossfoot.read.xlsx import stream_xlsx


def _book(path):
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Data")
    ws.write_row(0, 0, ["Item", "Qty", "Price", "Amount"])
    for r in range(1, 6):
        ws.write_string(r, 0, f"item {r}")
        ws.write_number(r, 1, r)
        ws.write_number(r, 2, 2.5 * r)
        ws.write_formula(r, 3, f"=B{r + 1}*C{r + 1}", None, r * 2.5 * r)
    other = book.add_worksheet("Summary")
    other.write_string(0, 0, "Total")
    other.write_formula(0, 1, "=SUM(Data!D2:D6)", None, 137.5)
    book.close()
    return path


def test_streamed_cells_equal_the_grid_readers_cells(tmp_path):
    path = _book(tmp_path / "b.xlsx")
    seen = []
    frame = stream_xlsx(path, lambda sheet, c: seen.append((sheet, c.row, c.col, c.value, c.formula, c.number_format)))
    grid = load(path)
    kept = [(s.name, c.row, c.col, c.value, c.formula, c.number_format) for s in grid for c in s]
    assert sorted(seen) == sorted(kept)
    assert list(frame.sheets) == ["Data", "Summary"]
    assert all(len(s.cells) == 0 for s in frame)


def test_streaming_a_non_workbook_is_a_read_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(range(256)))
    with pytest.raises(ReadError):
        stream_xlsx(bad, lambda sheet, c: None)
