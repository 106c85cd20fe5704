"""Configuration: where it is found, what it may say, and that flags override it."""

from __future__ import annotations

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from crossfoot.cli import _register_commands, app
from crossfoot.config import Config, ConfigError, find_config, load_config, resolve_config

_register_commands()
runner = CliRunner()

# One error (number-as-text) and one warning (reference-to-empty) in one workbook.
ROWS = [("", "A100", "H800", "H100"), ("# of GPUs", 10000, 2000, 1500), ("ASP ($k)", 13, 23, None),
        ("CapEx ($m)", "=B2*B3/1000", "=C2*C3/1000", "=D2*D3/1000"), (), ("Item", "Cost"),
        ("a", 400), ("b", "120"), ("Total", "=SUM(B7:B8)")]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    models = tmp_path / "models"
    models.mkdir()
    wb = openpyxl.Workbook()
    for row in ROWS:
        wb.active.append(row)
    wb.save(models / "m.xlsx")
    return tmp_path


def rules_found(*args):
    result = runner.invoke(app, ["audit", "models/m.xlsx", "--format", "json", "--no-impact", *args])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    return sorted({f["rule"] for f in doc["files"][0]["findings"]}), result.exit_code


def test_pyproject_tool_table_is_found_upward_from_the_input(project):
    (project / "pyproject.toml").write_text('[tool.crossfoot]\nselect = ["number-as-text"]\n')
    assert find_config(["models/m.xlsx"]) == project / "pyproject.toml"
    assert rules_found() == (["number-as-text"], 1)


def test_crossfoot_toml_wins_over_pyproject_in_the_same_folder(project):
    (project / "pyproject.toml").write_text('[tool.crossfoot]\nselect = ["number-as-text"]\n')
    (project / "crossfoot.toml").write_text('select = ["reference-to-empty"]\n')
    assert rules_found() == (["reference-to-empty"], 1)


def test_nearer_file_wins_and_pyproject_without_the_table_is_passed_over(project):
    (project / "crossfoot.toml").write_text('select = ["reference-to-empty"]\n')
    (project / "models" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config([project / "models" / "m.xlsx"]) == project / "crossfoot.toml"
    (project / "models" / "crossfoot.toml").write_text('select = ["number-as-text"]\n')
    assert find_config([project / "models" / "m.xlsx"]) == project / "models" / "crossfoot.toml"


def test_command_line_flags_override_the_file(project):
    (project / "crossfoot.toml").write_text(
        'select = ["number-as-text"]\nfail-on = "never"\nignore = []\n')
    assert rules_found() == (["number-as-text"], 0)
    assert rules_found("--fail-on", "warning") == (["number-as-text"], 1)
    assert rules_found("--select", "reference-to-empty") == (["reference-to-empty"], 0)


def test_fail_on_error_in_the_file_lets_warnings_pass(project):
    (project / "crossfoot.toml").write_text('fail-on = "error"\nselect = ["reference-to-empty"]\n')
    assert rules_found() == (["reference-to-empty"], 0)


def test_format_and_key_outputs_come_from_the_file(project):
    (project / "crossfoot.toml").write_text('format = "json"\noutput = ["Sheet!B9"]\n')
    cfg = resolve_config(["models/m.xlsx"])
    assert (cfg.format, cfg.output) == ("json", ["Sheet!B9"])
    result = runner.invoke(app, ["audit", "models/m.xlsx", "--select", "number-as-text", "--no-impact"])
    assert json.loads(result.stdout)["files"][0]["findings"][0]["cell"] == "B8"


def test_explicit_config_path_is_used(project):
    (project / "crossfoot.toml").write_text('select = ["reference-to-empty"]\n')
    other = project / "other.toml"
    other.write_text('select = ["number-as-text"]\n')
    assert rules_found("--config", str(other)) == (["number-as-text"], 1)


def test_rule_options_reach_the_rule(project):
    (project / "crossfoot.toml").write_text(
        'select = ["reference-to-empty"]\n[rules.reference-to-empty]\nmin_copies = 5\n')
    assert rules_found() == ([], 0)
    assert load_config(project / "crossfoot.toml").rule_options == {"reference-to-empty": {"min_copies": 5}}


@pytest.mark.parametrize("text, message", [
    ('selekt = ["x"]', "crossfoot.toml: selekt: unknown key"),
    ('select = ["omitted-ranges"]', "crossfoot.toml: select: unknown rule 'omitted-ranges'; did you mean omitted-range?"),
    ('select = 3', "crossfoot.toml: select: must be a list of rule names"),
    ('fail-on = "sometimes"', "crossfoot.toml: fail-on: must be one of error, warning, info, never"),
    ('format = "xml"', "crossfoot.toml: format: must be one of text, json, sarif, html"),
    ('output = ["F9"]', "crossfoot.toml: output: must be a list of cells"),
    ('[rules.nope]\nx = 1', "crossfoot.toml: rules.nope: unknown rule 'nope'"),
    ('[rules.reference-to-empty]\nfoo = 1', "crossfoot.toml: rules.reference-to-empty.foo: unknown option"),
    ('[rules.reference-to-empty]\nmin_copies = "two"', "crossfoot.toml: rules.reference-to-empty.min_copies: must be a int"),
    ('select = [', "crossfoot.toml: invalid TOML"),
])
def test_malformed_config_names_the_file_and_the_key(project, text, message):
    (project / "crossfoot.toml").write_text(text + "\n")
    with pytest.raises(ConfigError) as exc:
        load_config(project / "crossfoot.toml")
    assert message in str(exc.value)
    result = runner.invoke(app, ["audit", "models/m.xlsx"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_pyproject_errors_name_the_full_key(project):
    (project / "pyproject.toml").write_text('[tool.crossfoot]\nfail-on = "always"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.crossfoot.fail-on: must be one of"):
        load_config(project / "pyproject.toml")


def test_missing_explicit_config_is_exit_2(project):
    result = runner.invoke(app, ["audit", "models/m.xlsx", "--config", "nowhere.toml"])
    assert result.exit_code == 2 and "nowhere.toml: no such configuration file" in result.stderr


def test_no_config_anywhere_gives_defaults(project):
    cfg = resolve_config([project / "models" / "m.xlsx"])
    assert cfg == Config() and cfg.effective_fail_on == "warning" and cfg.effective_format == "text"
