"""understand.structure: blocks, headers, labels, totals and runs of the published table."""

import crossfoot
from crossfoot.audit import AuditContext
from crossfoot.cases.deepseek import write_published_table
from crossfoot.understand.structure import is_total_label, sheet_structure


def test_published_table_structure(tmp_path):
    wb = crossfoot.load(write_published_table(tmp_path / "fleet.xlsx"))
    ctx = AuditContext(wb)
    st = sheet_structure(ctx, "Fleet")
    assert sheet_structure(ctx, "Fleet") is st  # cached per audit
    (block,) = st.blocks
    assert block.range.a1 == "A1:F8"
    assert block.label_cols == [1] and 2 in block.header_rows
    assert block.total_cols == [6]
    assert st.row_label(6) == "Server CapEx ($m)"
    assert st.col_header(5) == "H100"
    run = st.run_down_col(5, 6)
    assert run is not None and run.range.a1 == "F4:F8"
    assert st.run_along_row(6, 3).range.a1 == "B6:E6"
    assert st.block_at(6, 3) is block


def test_total_labels():
    for text in ("Total", "Grand total", "Subtotal", "SUM", "FY 2024", "Full year", "Total Net Sales",
                 "Net sales total"):
        assert is_total_label(text), text
    for text in ("Totally new", "Revenue", "Summary of costs", "Q1", None):
        assert not is_total_label(text), text
