"""The repair stage: apply the proposed fixes, recalculate what they reach, measure their
impact on the key outputs, and write a corrected copy of the workbook.

    from crossfoot.repair import add_impact, format_impact, write_fixed
    combined = add_impact(file_report, outputs=["Fleet!F8"])   # fills finding.impact
    write_fixed(file_report, "model-fixed.xlsx")

The formula engine sits behind ``repair.recalc.Engine`` (``formulas`` by default);
``ensure_values(workbook)`` calculates formula cells a file was saved without.
"""

from crossfoot.repair.impact import add_impact, fix_changes, format_impact, format_impacts, format_value
from crossfoot.repair.recalc import Engine, EngineError, FormulasEngine, default_engine, ensure_values
from crossfoot.repair.writer import FixWriteError, write_fixed

__all__ = [
    "Engine", "EngineError", "FixWriteError", "FormulasEngine", "add_impact", "default_engine",
    "ensure_values", "fix_changes", "format_impact", "format_impacts", "format_value", "write_fixed",
]
