"""SARIF 2.1.0 output, for code-scanning dashboards and other SARIF viewers.

How a spreadsheet location is written (SARIF's regions are made for text files):

- ``physicalLocation.artifactLocation.uri`` is the file as given on the command line
  (a relative path stays a relative URI reference; an absolute one becomes ``file://``).
- ``physicalLocation.region`` puts the cell's row in ``startLine`` and its column
  number in ``startColumn`` (F5 -> line 5, column 6); a range ``F5:F9`` also sets
  ``endLine``/``endColumn`` (``endColumn`` is exclusive, as SARIF requires, so F5:F9
  ends at column 7). The region's property bag repeats ``sheet`` and ``cell``.
- ``logicalLocations[0]`` names the place the way a spreadsheet user reads it:
  ``name`` is the cell (``F5``), ``fullyQualifiedName`` is ``Sheet1!F5`` (the sheet
  quoted as in a formula when it needs it), ``kind`` is ``"cell"`` (or ``"range"``).
- A proposed fix becomes a SARIF ``fix`` replacing that region with the new formula.
- Impact (values before and after a fix) sits in the result's property bag.
- A file that could not be read is a ``toolExecutionNotification`` of level error in
  ``invocations[0]``, whose ``executionSuccessful`` is then false.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from crossfoot import __version__
from crossfoot.grid.address import CellRange, quote_sheet
from crossfoot.rules.base import all_rules

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(str(PurePosixPath(*p.parts)) if p.parts else path, safe="/")


def region_for(cell: str) -> dict[str, Any]:
    try:
        rng = CellRange.parse(cell)
    except ValueError:
        return {"properties": {"cell": cell}}
    region: dict[str, Any] = {"startLine": rng.min_row, "startColumn": rng.min_col}
    if rng.size > 1:
        region["endLine"] = rng.max_row
        region["endColumn"] = rng.max_col + 1
    return region


def _rule_descriptor(rule) -> dict[str, Any]:
    doc = rule.documentation()
    return {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary.strip()},
        "fullDescription": {"text": " ".join(rule.what.split())},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
    }


def sarif_dict(report) -> dict[str, Any]:
    rules = all_rules()
    used = sorted({f.rule for f in report.findings} | set(rules))
    descriptors = [_rule_descriptor(rules[name]) if name in rules else {"id": name} for name in used]
    index = {name: i for i, name in enumerate(used)}
    artifacts = []
    results = []
    notifications = []
    for fr in report.files:
        uri = artifact_uri(fr.path)
        art_index = len(artifacts)
        artifacts.append({"location": {"uri": uri}})
        location_of_file = {"artifactLocation": {"uri": uri, "index": art_index}}
        if fr.error is not None:
            notifications.append({"level": "error", "message": {"text": f"{fr.path}: {fr.error}"},
                                  "locations": [{"physicalLocation": location_of_file}]})
            continue
        for f in fr.findings:
            region = region_for(f.cell)
            region.setdefault("properties", {}).update({"sheet": f.sheet, "cell": f.cell})
            qualified = f"{quote_sheet(f.sheet)}!{f.cell}" if f.sheet else f.cell
            result: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": LEVELS.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {**location_of_file, "region": region},
                    "logicalLocations": [{"name": f.cell, "fullyQualifiedName": qualified,
                                          "kind": "range" if ":" in f.cell else "cell"}],
                }],
            }
            if f.fix is not None and f.fix.formula:
                result["fixes"] = [{
                    "description": {"text": f.fix.description or f"Replace {qualified} with {f.fix.formula}"},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": uri, "index": art_index},
                        "replacements": [{"deletedRegion": region_for(f.cell),
                                          "insertedContent": {"text": f.fix.formula}}],
                    }],
                }]
            props: dict[str, Any] = {"sheet": f.sheet, "cell": f.cell}
            if f.impact:
                props["impact"] = [i.to_dict() for i in f.impact]
            result["properties"] = props
            results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "crossfoot", "version": __version__,
                            "semanticVersion": __version__, "rules": descriptors}},
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(report, indent: int | None = 2) -> str:
    return json.dumps(sarif_dict(report), indent=indent, default=str) + "\n"
