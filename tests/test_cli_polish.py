"""The command line as a demanding new user meets it: help pages that read well, one-line
errors with exit code 2 for every bad path, and no command that writes over its input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from crossfoot.cli import _register_commands, app

_register_commands()
runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "crossfoot" / "examples"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "crossfoot", *args], capture_output=True, text=True,
                          cwd=cwd, env=env)


def one_line_error(out: subprocess.CompletedProcess, *words: str) -> str:
    assert out.returncode == 2, out
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no configuration file of the repository applies
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [("Item", "Cost"), ("A100", 400), ("H800", "120"), ("H100", 80), ("Total", "=SUM(B2:B4)")]:
        ws.append(row)
    path = tmp_path / "model.xlsx"
    wb.save(path)
    return path


# ---------------------------------------------------------------------------- help

def test_help_keeps_bracketed_text_that_rich_markup_would_swallow():
    out = runner.invoke(app, ["audit", "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    assert "[default: text]" in out.stdout and "[default: warning]" in out.stdout
    assert "[tool.crossfoot]" in out.stdout


def test_help_reflows_docstrings_instead_of_keeping_their_line_breaks():
    out = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    lines = out.stdout.splitlines()
    audit = next(line for line in lines if "Find the errors" in line)
    assert "inconsistent formulas" in audit  # one line, not broken where the docstring was
    fund = next(line for line in lines if "Fund fee economics" in line)
    assert "high-water mark" in fund


def test_help_names_values_not_python_types():
    out = runner.invoke(app, ["audit", "--help"], env={"COLUMNS": "200"})
    rows = {line.split()[1]: line for line in out.stdout.splitlines() if line.startswith("│ --")}
    for flag, metavar in (("--format", "FORMAT"), ("--select", "RULES"), ("--ignore", "RULES"),
                          ("--fail-on", "SEVERITY"), ("--config", "FILE"), ("--output-file", "FILE")):
        assert metavar in rows[flag] and "<str>" not in rows[flag] and "list[" not in rows[flag]
    assert "{files}" not in out.stdout and "FILES" in out.stdout


def test_demo_help_names_every_file_it_writes():
    out = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert "deepseek_v3_training_cost.xlsx" in out.stdout and "three files" not in out.stdout


# ------------------------------------------------------------------ error messages

def test_error_message_keeps_its_square_brackets(tmp_path):
    empty = tmp_path / "fleet.toml"
    empty.write_text("")
    line = one_line_error(cli("tco", str(empty)))
    assert "[[accelerator]]" in line


def test_single_unreadable_file_is_one_line(tmp_path):
    out = cli("audit", str(tmp_path / "missing.xlsx"), cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stdout.strip().splitlines() == [f"{tmp_path / 'missing.xlsx'}: error: no such file"]


def test_batch_where_no_file_could_be_read_says_so_plainly(tmp_path):
    (tmp_path / "notes.xlsx").write_text("just text")
    out = cli("audit", "missing.xlsx", "notes.xlsx", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stdout.splitlines()[-1] == "2 files could not be read."


def test_scan_of_a_missing_folder_says_no_such_folder(tmp_path):
    one_line_error(cli("scan", str(tmp_path / "nope")), "no such folder")


def test_model_input_that_is_a_folder_is_one_line(tmp_path):
    for command in ("tco", "fund", "check"):
        one_line_error(cli(command, str(tmp_path)), str(tmp_path), "is a folder")


# ------------------------------------------------------- never write over an input

def test_report_output_file_over_the_input_is_refused(book):
    before = book.read_bytes()
    out = cli("audit", str(book), "-o", str(book))
    one_line_error(out, "refusing to overwrite the input")
    assert book.read_bytes() == before


def test_report_output_file_into_a_missing_folder_fails_before_the_audit(book):
    one_line_error(cli("audit", str(book), "-o", str(book.parent / "nodir" / "r.txt")), "nodir", "does not exist")


def test_fix_onto_a_hard_link_of_the_input_is_refused_before_the_audit(book):
    link = book.parent / "same.xlsx"
    os.link(book, link)
    before = book.read_bytes()
    one_line_error(cli("audit", str(book), "--fix", str(link)), "refusing to overwrite the input")
    assert book.read_bytes() == before


def test_fix_onto_a_folder_is_one_line(book):
    one_line_error(cli("audit", str(book), "--fix", str(book.parent)), "is a folder")


def test_model_xlsx_over_the_input_is_refused(tmp_path):
    fleet = tmp_path / "fleet.toml"
    fleet.write_text((EXAMPLES / "fleet.toml").read_text())
    before = fleet.read_bytes()
    one_line_error(cli("tco", str(fleet), "--xlsx", str(fleet)), "refusing to overwrite the input")
    assert fleet.read_bytes() == before


@pytest.mark.parametrize("command,example", [("tco", "fleet.toml"), ("fund", "fund.toml")])
def test_model_xlsx_into_a_missing_folder_is_one_line_not_a_traceback(tmp_path, command, example):
    one_line_error(cli(command, str(EXAMPLES / example), "--xlsx", str(tmp_path / "nodir" / "m.xlsx")),
                   "nodir", "does not exist")


# ----------------------------------------------------------------- configuration

def test_broken_pyproject_with_a_crossfoot_table_is_an_error_not_ignored(book):
    (book.parent / "pyproject.toml").write_text('[tool.crossfoot\nselect = ["omitted-range"]\n')
    one_line_error(cli("audit", str(book), cwd=book.parent), "pyproject.toml", "invalid TOML")


def test_broken_pyproject_without_crossfoot_is_passed_over(book):
    (book.parent / "pyproject.toml").write_text('[project\nname = "x"\n')
    out = cli("audit", str(book), cwd=book.parent)
    assert out.returncode == 1 and out.stderr == ""


def test_config_that_is_a_folder_or_binary_is_one_plain_line(book):
    one_line_error(cli("audit", str(book), "--config", str(book.parent)), "is a folder, not a configuration file")
    binary = book.parent / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    line = one_line_error(cli("audit", str(book), "--config", str(binary)), "bin.toml", "not UTF-8")
    assert "codec" not in line
