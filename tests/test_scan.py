"""`crossfoot scan DIR`: every workbook under a folder, in parallel, one line per file."""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from crossfoot.cli import _register_commands, app
from crossfoot.scan import find_workbooks, scan

_register_commands()
runner = CliRunner()
SEL = ["--select", "number-as-text"]


def save(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "models"
    (root / "2024").mkdir(parents=True)
    (root / ".cache").mkdir()
    save(root / "a.xlsx", [("a", 400), ("b", "120"), ("Total", "=SUM(B1:B2)")])
    save(root / "2024" / "b.xlsx", [("a", 400), ("b", 120), ("Total", "=SUM(B1:B2)")])
    (root / "2024" / "c.csv").write_text("item,cost\na,1\nb,2\n")
    (root / "notes.txt").write_text("not a workbook")
    (root / "~$a.xlsx").write_text("lock file")
    save(root / ".cache" / "hidden.xlsx", [("x", 1)])
    return root


def test_finds_every_workbook_suffix_and_skips_lock_files_and_hidden_folders(tree):
    found = [p.relative_to(tree).as_posix() for p in find_workbooks(tree)]
    assert found == ["2024/b.xlsx", "2024/c.csv", "a.xlsx"]
    assert [p.name for p in find_workbooks(tree, ["*.csv"])] == ["c.csv"]
    assert [p.name for p in find_workbooks(tree, ["2024/*.xlsx"])] == ["b.xlsx"]


def test_scan_json_has_the_audit_shape_and_exit_1_on_findings(tree):
    result = runner.invoke(app, ["scan", "models", "--format", "json", "--jobs", "1", *SEL])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["tool"] == "crossfoot"
    by_path = {f["path"]: f for f in doc["files"]}
    assert sorted(by_path) == ["models/2024/b.xlsx", "models/2024/c.csv", "models/a.xlsx"]
    assert [f["cell"] for f in by_path["models/a.xlsx"]["findings"]] == ["B2"]
    assert by_path["models/2024/b.xlsx"]["findings"] == [] and by_path["models/2024/b.xlsx"]["error"] is None


def test_scan_text_shows_a_table_and_a_summary(tree):
    result = runner.invoke(app, ["scan", "models", "--jobs", "1", *SEL], env={"COLUMNS": "200"})
    lines = result.stdout.splitlines()
    row = next(line for line in lines if "models/a.xlsx" in line)
    assert "1" in row and "number-as-text" in row
    assert any("models/2024/b.xlsx" in line and "ok" in line for line in lines)
    assert lines[-1] == "Found 1 finding (1 error) in 1 of 3 files."


def test_parallel_scan_reports_files_in_path_order_like_a_serial_one(tree):
    serial = scan(tree, jobs=1, select=["number-as-text"]).to_dict()
    parallel = scan(tree, jobs=2, select=["number-as-text"]).to_dict()
    assert parallel == serial


def test_unreadable_workbook_is_reported_and_exits_2(tree):
    (tree / "broken.xlsx").write_text("not a zip")
    result = runner.invoke(app, ["scan", "models", "--format", "json", "--jobs", "1", *SEL])
    assert result.exit_code == 2
    broken = next(f for f in json.loads(result.stdout)["files"] if f["path"].endswith("broken.xlsx"))
    assert broken["error"].startswith("not a workbook")


def test_progress_is_reported_for_every_file(tree):
    seen = []
    scan(tree, jobs=1, select=["number-as-text"], progress=lambda done, total, path: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_folder_without_workbooks_or_missing_is_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["scan", "empty"])
    assert result.exit_code == 2 and "no workbooks under empty" in result.stderr
    assert runner.invoke(app, ["scan", "nowhere"]).exit_code == 2


def test_scan_refuses_sarif(tree):
    result = runner.invoke(app, ["scan", "models", "--format", "sarif"])
    assert result.exit_code == 2 and "use crossfoot audit for sarif" in result.stderr
