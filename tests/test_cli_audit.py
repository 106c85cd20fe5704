"""`crossfoot audit`: exit codes, batches with unreadable files, the JSON contract, rule
selection, --fail-on, the text format, --fix and --output-file."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest
from typer.testing import CliRunner

import crossfoot
from crossfoot.cli import _register_commands, app

_register_commands()
runner = CliRunner()

TEXT_NUMBER = [("Item", "Cost"), ("A100", 400), ("H800", "120"), ("H100", 80), ("Total", "=SUM(B2:B4)")]
EMPTY_INPUT = [("", "A100", "H800", "H100"), ("# of GPUs", 10000, 2000, 1500), ("ASP ($k)", 13, 23, None),
               ("CapEx ($m)", "=B2*B3/1000", "=C2*C3/1000", "=D2*D3/1000")]


def save(path, rows, title="Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configuration file of the repository applies
    clean_rows = [list(r) for r in TEXT_NUMBER]
    clean_rows[2][1] = 120
    out = {
        "error": save(tmp_path / "text.xlsx", TEXT_NUMBER),          # one error
        "warning": save(tmp_path / "empty.xlsx", EMPTY_INPUT),       # one warning
        "clean": save(tmp_path / "clean.xlsx", clean_rows),
        "both": save(tmp_path / "both.xlsx", TEXT_NUMBER),
    }
    (tmp_path / "broken.xlsx").write_text("not a workbook")
    out["broken"] = str(tmp_path / "broken.xlsx")
    return out


def run(*args):
    result = runner.invoke(app, ["audit", *args])
    return result


SEL = ["--select", "number-as-text,reference-to-empty"]


def test_clean_file_exits_0_and_says_all_checks_passed(files):
    result = run(files["clean"], *SEL)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "All checks passed."


def test_findings_at_or_above_warning_exit_1(files):
    assert run(files["error"], *SEL).exit_code == 1
    assert run(files["warning"], *SEL).exit_code == 1


@pytest.mark.parametrize("fail_on, error_file, warning_file", [
    ("error", 1, 0), ("warning", 1, 1), ("info", 1, 1), ("never", 0, 0)])
def test_fail_on_sets_the_threshold(files, fail_on, error_file, warning_file):
    assert run(files["error"], *SEL, "--fail-on", fail_on).exit_code == error_file
    assert run(files["warning"], *SEL, "--fail-on", fail_on).exit_code == warning_file


def test_bad_fail_on_is_a_one_line_error_exit_2(files):
    result = run(files["clean"], "--fail-on", "sometimes")
    assert result.exit_code == 2
    assert "--fail-on must be one of error, warning, info, never" in result.stderr


def test_unknown_rule_name_exits_2_with_close_match(files):
    result = run(files["clean"], "--select", "omitted-ranges")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: unknown rule 'omitted-ranges'; did you mean omitted-range?"]
    assert run(files["clean"], "--ignore", "nope").exit_code == 2


def test_select_and_ignore_choose_the_rules(files):
    only = json.loads(run(files["error"], "--format", "json", "--select", "number-as-text").stdout)
    assert [f["rule"] for f in only["files"][0]["findings"]] == ["number-as-text"]
    ignored = json.loads(run(files["error"], "--format", "json", *SEL, "--ignore", "number-as-text").stdout)
    assert ignored["files"][0]["findings"] == []
    repeated = run(files["error"], "--select", "reference-to-empty", "--select", "number-as-text")
    assert repeated.exit_code == 1


def test_batch_with_unreadable_file_audits_the_others_and_exits_2(files):
    result = run(files["error"], files["broken"], files["clean"], *SEL)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{files['broken']}: error: not a workbook") for line in lines)
    assert any(line.startswith(f"{files['error']}:Sheet1!B3: number-as-text: ") for line in lines)
    assert lines[-1] == "Found 1 finding (1 error) in 1 of 2 files. 1 file could not be read."
    assert "Traceback" not in result.output


def test_missing_file_is_reported_not_a_traceback(files):
    result = run("no-such.xlsx", *SEL)
    assert result.exit_code == 2
    assert "no-such.xlsx: error: no such file" in result.stdout


def test_json_output_follows_the_contract(files):
    result = run(files["error"], files["broken"], files["warning"], *SEL, "--format", "json", "--no-impact")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["tool"] == "crossfoot" and doc["version"] == crossfoot.__version__
    paths = [f["path"] for f in doc["files"]]
    assert paths == [files["error"], files["broken"], files["warning"]]
    text, broken, empty = doc["files"]
    assert broken["findings"] == [] and broken["error"].startswith("not a workbook")
    assert text["error"] is None and empty["error"] is None
    [finding] = text["findings"]
    assert {k: finding[k] for k in ("rule", "severity", "sheet", "cell")} == {
        "rule": "number-as-text", "severity": "error", "sheet": "Sheet1", "cell": "B3"}
    assert isinstance(finding["message"], str) and finding["fix"] == {
        "formula": "120", "description": "store 120 as a number"}
    assert "impact" not in finding
    assert empty["findings"][0]["rule"] == "reference-to-empty" and "fix" not in empty["findings"][0]


def test_impact_names_the_key_output_cell(files):
    pytest.importorskip("crossfoot.repair.impact")
    result = run(files["error"], *SEL, "--format", "json", "--output", "Sheet1!B5")
    finding = json.loads(result.stdout)["files"][0]["findings"][0]
    assert "B5" in [i["cell"] for i in finding["impact"]]
    assert set(finding["impact"][0]) == {"sheet", "cell", "label", "before", "after"}


def test_output_cell_without_a_sheet_is_refused(files):
    result = run(files["error"], "--output", "B5")
    assert result.exit_code == 2 and "give a sheet and a cell" in result.stderr


def test_text_lines_name_file_sheet_cell_rule_and_show_the_fix(files):
    result = run(files["both"], *SEL, "--no-impact")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{files['both']}:Sheet1!B3: number-as-text: B3 ('H800', 'Cost') holds the text '120'")
    assert lines[1] == "  fix: 120"
    assert lines[-1] == "Found 1 finding (1 error) in 1 file."
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_sheet_names_with_spaces_are_quoted_as_in_formulas(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = save(tmp_path / "q.xlsx", TEXT_NUMBER, title="My Costs")
    result = run(path, *SEL, "--no-impact")
    assert f"{path}:'My Costs'!B3: number-as-text:" in result.stdout


def test_output_file_receives_the_report(files, tmp_path):
    dest = tmp_path / "out.json"
    result = run(files["error"], *SEL, "--format", "json", "-o", str(dest))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(dest.read_text())["files"][0]["findings"][0]["cell"] == "B3"


def test_bad_format_is_refused(files):
    result = run(files["error"], "--format", "xml")
    assert result.exit_code == 2 and "--format must be one of text, json, sarif, html" in result.stderr


def test_html_format_renders_a_page(files, tmp_path):
    pytest.importorskip("crossfoot.report.html")
    dest = tmp_path / "r.html"
    result = run(files["error"], *SEL, "--format", "html", "-o", str(dest), "--no-impact")
    assert result.exit_code == 1
    assert "<html" in dest.read_text().lower()


def test_fix_takes_exactly_one_file_and_never_overwrites_the_input(files, tmp_path):
    two = run(files["error"], files["clean"], "--fix", str(tmp_path / "f.xlsx"))
    assert two.exit_code == 2 and "--fix takes exactly one input file" in two.stderr
    same = run(files["error"], "--fix", files["error"])
    assert same.exit_code == 2 and "refusing to overwrite the input" in same.stderr


def test_fix_writes_a_corrected_copy(files, tmp_path):
    pytest.importorskip("crossfoot.repair.writer")
    dest = tmp_path / "fixed.xlsx"
    result = run(files["error"], *SEL, "--fix", str(dest), "--no-impact")
    assert result.exit_code == 1
    assert dest.exists()
    assert json.loads(run(str(dest), *SEL, "--format", "json").stdout)["files"][0]["findings"] == []


def test_python_api_gives_the_same_exit_code_and_rendering(files):
    from crossfoot.report import exit_code, render

    report = crossfoot.audit(files["error"], files["broken"], select=["number-as-text"])
    assert exit_code(report, "never") == 2
    report = crossfoot.audit(files["error"], select=["number-as-text"])
    assert exit_code(report, "error") == 1 and exit_code(report, "never") == 0
    assert render(report, "text").splitlines()[-1] == "Found 1 finding (1 error) in 1 file."


def test_installed_command_exits_with_the_codes_and_no_traceback(files):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "crossfoot", "audit", *args], capture_output=True, text=True)

    assert cli(files["clean"], *SEL).returncode == 0
    assert cli(files["error"], *SEL).returncode == 1
    bad = cli(files["clean"], "--select", "nope")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
