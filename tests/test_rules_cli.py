"""`crossfoot rules` and `crossfoot rule NAME`: every rule documented, and found by name."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from crossfoot.cli import _register_commands, app
from crossfoot.report import rules_markdown
from crossfoot.rules.base import all_rules

_register_commands()
runner = CliRunner()


def test_rules_table_lists_every_rule_with_its_severity():
    result = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name, rule in all_rules().items():
        line = next(line for line in result.stdout.splitlines() if line.startswith(name + " "))
        assert rule.severity in line


def test_rules_json_is_machine_readable():
    doc = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    assert [d["name"] for d in doc] == list(all_rules())
    assert {"name", "severity", "summary"} == set(doc[0])


def test_every_rule_has_a_page_with_the_four_parts():
    for rule in all_rules().values():
        page = rule.documentation()
        for part in ("## What it finds", "## Why it matters", "## Example", "## Fix"):
            assert part in page, (rule.name, part)
        assert rule.severity in ("error", "warning", "info")


def test_rule_page_is_rendered_for_a_terminal():
    result = runner.invoke(app, ["rule", "number-as-text"])
    assert result.exit_code == 0
    assert "What it finds" in result.stdout and "Why it matters" in result.stdout
    assert "## " not in result.stdout  # rendered, not raw Markdown


def test_unknown_rule_lists_close_matches_and_exits_2():
    result = runner.invoke(app, ["rule", "number-as-txt"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown rule 'number-as-txt'; did you mean number-as-text?"
    far = runner.invoke(app, ["rule", "zzz"])
    assert far.exit_code == 2 and "rules: " in far.stderr


def test_markdown_holds_every_rule_page_under_one_title():
    text = runner.invoke(app, ["rules", "--format", "markdown"]).stdout
    assert text == rules_markdown()
    assert text.startswith("# Rules\n") and text.count("\n# ") == 0
    for name in all_rules():
        assert f"\n## {name}\n" in text and f"[`{name}`](#{name})" in text
    assert "### What it finds" in text
