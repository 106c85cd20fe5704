"""`crossfoot tco`, `crossfoot fund` and `crossfoot check`: text and JSON output, the
workbook and chart options, and one-line errors with exit code 2 for bad input files."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from crossfoot.cli import _register_commands, app

_register_commands()
runner = CliRunner()
EXAMPLES = Path(str(resources.files("crossfoot.examples")))


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_tco_text_shows_the_corrected_deepseek_totals_and_provenance():
    out = invoke("tco", EXAMPLES / "deepseek_fleet.toml")
    assert out.exit_code == 0, out.output
    assert "1,600.0" in out.output and "636.0" in out.output and "545.0" in out.output
    assert "reconstructed: chosen so that the published capex totals hold" in out.output
    assert "Tornado" in out.output


def test_tco_json_with_monte_carlo_workbook_and_charts(tmp_path):
    out = invoke("tco", EXAMPLES / "fleet.toml", "--format", "json", "--samples", "500", "--seed", "3",
                 "--xlsx", tmp_path / "fleet.xlsx", "--chart", tmp_path / "charts")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["tool"] == "crossfoot" and data["command"] == "tco"
    assert data["result"]["total"]["gpus"] == 60_000
    assert data["monte_carlo"]["samples"] == 500
    assert data["tornado"]["bars"]
    assert (tmp_path / "fleet.xlsx").exists()
    assert {Path(c["png"]).name for c in data["files"]["charts"]} == {"tco_by_type.png", "tco_tornado.png"}
    assert (tmp_path / "charts" / "tco_tornado.svg").read_text().lstrip().startswith("<?xml")


def test_fund_text_and_json(tmp_path):
    out = invoke("fund", EXAMPLES / "fund.toml", "--xlsx", tmp_path / "fund.xlsx", "--chart", tmp_path)
    assert out.exit_code == 0, out.output
    assert "429.8" in out.output and "high-water mark" in out.output
    assert (tmp_path / "fund_cash.png").exists() and (tmp_path / "fund.xlsx").exists()
    data = json.loads(invoke("fund", EXAMPLES / "fund.toml", "-f", "json").output)
    assert data["result"]["years"][-1]["management_fee"] == 70.0
    assert round(data["result"]["lifetime_reinvestable_m"], 1) == 429.8


def test_check_text_and_json():
    out = invoke("check", EXAMPLES / "claim.toml", "--samples", "500")
    assert out.exit_code == 0, out.output
    assert "far exceeds" in out.output and "3.72x" in out.output
    data = json.loads(invoke("check", EXAMPLES / "claim.toml", "-f", "json").output)
    assert [v["verdict"] for v in data["verdicts"]] == ["far exceeds", "far exceeds", "fits"]
    assert data["verdicts"][0]["ratio"] > 3.5


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossfoot", *map(str, args)], capture_output=True, text=True)


def test_malformed_input_is_one_line_with_key_line_and_exit_code_2(tmp_path):
    bad = tmp_path / "fleet.toml"
    bad.write_text('region = "us"\n[[accelerator]]\nname = "H100"\ncount = "many"\n')
    out = run("tco", bad)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "fleet.toml:4" in lines[0] and "accelerator[0].count" in lines[0] and "expected a number" in lines[0]
    missing = run("fund", tmp_path / "none.toml")
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
