"""Labels: row label to the left, headers above (multi-row, merged), unit columns, title rows."""

from crossfoot.audit import AuditContext
from crossfoot.grid.address import CellRange
from crossfoot.understand.labels import cell_labels, is_unit_text
from meaning_grid import table


def labels(wb, addr):
    from crossfoot.grid.address import parse_a1

    return cell_labels(AuditContext(wb), wb.sheets["Sheet1"], *parse_a1(addr))


def test_number_is_read_by_its_row_label_and_column_header():
    wb = table([["Fleet capex and cost of ownership, reconstructed from the published table"],
                [None, "A100", "H20", "Total"],
                ["# of GPUs", 10000, 30000, ("=SUM(B3:C3)", 40000)],
                ["ASP ($)", 12000, 13000, ("=SUM(B4:C4)", 25000)]])
    got = labels(wb, "C4")
    assert got.row_label == "ASP ($)" and got.row_label_cell == "A4"
    assert got.headers == ("H20",)
    assert labels(wb, "D3").headers == ("Total",)


def test_title_row_is_not_a_header():
    wb = table([["A long title sitting over the whole table, not a header"], ["x", 1, 2]])
    wb.sheets["Sheet1"].merged.append(CellRange(1, 1, 1, 3))
    assert labels(wb, "B2").headers == ()


def test_multi_row_and_merged_headers_read_top_down():
    wb = table([[None, "2024", None, "2025"],
                [None, "H1", "H2", "H1"],
                ["Revenue ($m)", 10, 12, 14]])
    wb.sheets["Sheet1"].merged.append(CellRange(1, 2, 1, 3))
    assert labels(wb, "C3").headers == ("2024", "H2")
    assert labels(wb, "D3").headers == ("2025", "H1")


def test_units_column_is_kept_apart_from_the_label():
    wb = table([[None, None, "A100", "H20"], ["Server capex", "$m", 200, 750]])
    got = labels(wb, "D2")
    assert got.row_label == "Server capex" and got.units == "$m"


def test_unit_texts_are_recognised_and_labels_are_not():
    for text in ("$m", "($m)", "%", "GPUs", "$/hr", "kW", "US$ bn"):
        assert is_unit_text(text), text
    for text in ("Server CapEx ($m)", "Revenue", "A100"):
        assert not is_unit_text(text), text
