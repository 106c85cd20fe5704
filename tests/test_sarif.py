"""SARIF 2.1.0 output, validated against the official OASIS schema (vendored in
tests/data, see its README for the origin)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from typer.testing import CliRunner

import crossfoot
from crossfoot.audit import FileReport, Report
from crossfoot.cli import _register_commands, app
from crossfoot.report.sarif import artifact_uri, region_for, sarif_dict
from crossfoot.rules.base import Finding, Fix, Impact, all_rules

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
_register_commands()


def validate(doc):
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def report_with_everything() -> Report:
    finding = Finding("omitted-range", "error", "My Sheet", "F5", "Total leaves out H100.",
                      fix=Fix(formula="=SUM(B5:E5)"),
                      impact=[Impact("My Sheet", "F6", "Total", 1300, 1600)])
    ranged = Finding("inconsistent-formula", "warning", "S", "F5:F9", "Run breaks.")
    note = Finding("hardcoded-value", "info", "S", "B2", "A typed number.")
    return Report([FileReport("models/fleet table.xlsx", [finding, ranged, note]),
                   FileReport("broken.xlsx", error="not a workbook (no zip signature)")])


def test_sarif_validates_against_the_official_schema():
    validate(sarif_dict(report_with_everything()))


def test_results_carry_rule_level_location_and_fix():
    run = sarif_dict(report_with_everything())["runs"][0]
    first, ranged, note = run["results"]
    assert first["ruleId"] == "omitted-range" and first["level"] == "error"
    assert ranged["level"] == "warning" and note["level"] == "note"
    loc = first["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "models/fleet%20table.xlsx"
    assert loc["physicalLocation"]["region"]["startLine"] == 5
    assert loc["physicalLocation"]["region"]["startColumn"] == 6
    assert loc["logicalLocations"][0] == {"name": "F5", "fullyQualifiedName": "'My Sheet'!F5", "kind": "cell"}
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == "=SUM(B5:E5)"
    assert first["properties"]["impact"][0]["after"] == 1600
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "omitted-range"


def test_a_range_ends_one_column_past_its_last_cell():
    assert region_for("F5:F9") == {"startLine": 5, "startColumn": 6, "endLine": 9, "endColumn": 7}


def test_unreadable_file_is_an_execution_notification():
    invocation = sarif_dict(report_with_everything())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "not a workbook" in note["message"]["text"]


def test_driver_describes_every_registered_rule_with_its_documentation():
    rules = {r["id"]: r for r in sarif_dict(Report())["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == set(all_rules())
    for name, rule in all_rules().items():
        assert rules[name]["shortDescription"]["text"] == rule.summary.strip()
        assert "## Why it matters" in rules[name]["help"]["markdown"]


def test_absolute_paths_become_file_uris(tmp_path):
    assert artifact_uri(str(tmp_path / "a b.xlsx")).startswith("file:///")


def test_cli_sarif_of_a_real_audit_validates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wb = openpyxl.Workbook()
    for row in [("a", 400), ("b", "120"), ("c", 80), ("Total", "=SUM(B1:B3)")]:
        wb.active.append(row)
    wb.save("m.xlsx")
    result = CliRunner().invoke(app, ["audit", "m.xlsx", "--format", "sarif", "--select", "number-as-text"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    validate(doc)
    [res] = doc["runs"][0]["results"]
    assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Sheet!B2"
    assert res["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "120"


def test_schema_rejects_a_broken_document():
    doc = sarif_dict(report_with_everything())
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_python_api_renders_sarif(tmp_path):
    from crossfoot.report import render

    report = crossfoot.audit(str(tmp_path / "missing.xlsx"))
    validate(json.loads(render(report, "sarif")))
