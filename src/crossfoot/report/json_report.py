"""The JSON report: the contract of DESIGN.md, one object.

    {"tool": "crossfoot", "version": "X.Y.Z",
     "files": [{"path": ..., "findings": [{"rule", "severity", "sheet", "cell", "message",
                                             "fix"?, "impact"?}], "error": null}]}
"""

from __future__ import annotations


def render_json(report, indent: int | None = 2) -> str:
    return report.to_json(indent=indent) + "\n"
