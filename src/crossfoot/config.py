"""Project configuration: ``[tool.crossfoot]`` in ``pyproject.toml`` or a ``crossfoot.toml``.

A ``crossfoot.toml`` holds the same keys at its top level. The file is looked for in
the folder of the first input file and its parents, then in the working directory and
its parents; in each folder ``crossfoot.toml`` wins over ``pyproject.toml``, and a
``pyproject.toml`` without a ``[tool.crossfoot]`` table is passed over::

    [tool.crossfoot]
    select = ["omitted-range", "total-mismatch"]   # rules to run (default: all)
    ignore = ["hardcoded-value"]                    # rules to skip
    fail-on = "error"                               # error | warning | info | never
    format = "text"                                 # text | json | sarif | html
    output = ["Summary!F9"]                         # key output cells for impact

    [tool.crossfoot.rules.reference-to-empty]      # options of one rule
    ...

Command-line flags override the file. Anything malformed raises ``ConfigError`` whose
message names the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from crossfoot.rules.base import SEVERITIES, all_rules

FAIL_ON = (*reversed(SEVERITIES), "never")
FORMATS = ("text", "json", "sarif", "html")
_KEYS = ("select", "ignore", "fail-on", "format", "output", "rules")
FILENAMES = ("crossfoot.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration that cannot be used; ``str()`` is the one-line message."""


@dataclass
class Config:
    """Settings of an audit. ``None`` means "not set here" so that layers can merge."""

    select: list[str] | None = None
    ignore: list[str] | None = None
    fail_on: str | None = None
    format: str | None = None
    output: list[str] | None = None
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None  # the file it came from

    def merged(self, **overrides: Any) -> "Config":
        """A copy with every override that is not None applied (the CLI's flags)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def effective_fail_on(self) -> str:
        return self.fail_on or "warning"

    @property
    def effective_format(self) -> str:
        return self.format or "text"

    @property
    def rule_options(self) -> dict[str, dict[str, Any]]:
        """Per-rule options as rules read them: ``ctx.options[rule_name]``."""
        return {name: dict(opts) for name, opts in self.rules.items()}


def find_config(starts: Iterable[str | Path] = ()) -> Path | None:
    """The configuration file that applies to ``starts`` (input files or folders),
    looking upward from the first of them and then from the working directory."""
    folders: list[Path] = []
    for start in list(starts)[:1]:
        p = Path(start).resolve()
        folders.append(p if p.is_dir() else p.parent)
    folders.append(Path.cwd().resolve())
    seen: set[Path] = set()
    for folder in folders:
        for d in (folder, *folder.parents):
            if d in seen:
                continue
            seen.add(d)
            for name in FILENAMES:
                candidate = d / name
                if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                    return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    """Whether a pyproject.toml configures crossfoot. One that is not valid TOML but
    names a ``[tool.crossfoot]`` table counts, so that load_config reports its error
    instead of the audit silently running with the defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "[tool.crossfoot" in text
    return isinstance(data.get("tool"), dict) and "crossfoot" in data["tool"]


def load_config(path: str | Path) -> Config:
    """Read one configuration file (``pyproject.toml`` or any other TOML file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a configuration file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a TOML file (not UTF-8 text)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    prefix = ""
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("crossfoot", {})
        prefix = "tool.crossfoot."
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: tool.crossfoot must be a table")
    return parse_config(data, path=path, prefix=prefix)


def parse_config(data: dict[str, Any], *, path: Path | None = None, prefix: str = "") -> Config:
    """Validate a configuration table; errors name the file and the key."""
    where = f"{path}: " if path else ""

    def bad(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where}{prefix}{key}: {problem}")

    for key in data:
        if key not in _KEYS:
            raise bad(key, f"unknown key (known: {', '.join(_KEYS)})")
    known = all_rules()
    cfg = Config(path=path)
    for key in ("select", "ignore"):
        if key in data:
            names = _string_list(data[key])
            if names is None:
                raise bad(key, "must be a list of rule names")
            try:
                check_rule_names(names)
            except KeyError as exc:
                raise bad(key, str(exc.args[0])) from None
            setattr(cfg, key, names)
    if "fail-on" in data:
        if data["fail-on"] not in FAIL_ON:
            raise bad("fail-on", f"must be one of {', '.join(FAIL_ON)}, not {data['fail-on']!r}")
        cfg.fail_on = data["fail-on"]
    if "format" in data:
        if data["format"] not in FORMATS:
            raise bad("format", f"must be one of {', '.join(FORMATS)}, not {data['format']!r}")
        cfg.format = data["format"]
    if "output" in data:
        cells = _string_list(data["output"])
        if cells is None or not all("!" in c for c in cells):
            raise bad("output", "must be a list of cells such as \"Sheet1!F9\"")
        cfg.output = cells
    if "rules" in data:
        table = data["rules"]
        if not isinstance(table, dict):
            raise bad("rules", "must be a table of rule tables")
        for name, opts in table.items():
            key = f"rules.{name}"
            if name not in known:
                raise bad(key, _unknown_rule(name))
            if not isinstance(opts, dict):
                raise bad(key, "must be a table of options")
            defaults = getattr(known[name], "options", None) or {}
            for opt, value in opts.items():
                if opt not in defaults:
                    have = ", ".join(defaults) if defaults else "none"
                    raise bad(f"{key}.{opt}", f"unknown option (options of {name}: {have})")
                if not _same_kind(defaults[opt], value):
                    raise bad(f"{key}.{opt}", f"must be a {type(defaults[opt]).__name__}, not {value!r}")
            cfg.rules[name] = dict(opts)
    return cfg


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return default is None or isinstance(value, type(default))


def _string_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    return None


def _unknown_rule(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(all_rules()), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; rules: {', '.join(all_rules())}"
    return f"unknown rule {name!r}{hint}"


def check_rule_names(names: Sequence[str]) -> None:
    """Raise KeyError(one-line message) for the first name that is not a rule."""
    known = all_rules()
    for name in names:
        if name not in known:
            raise KeyError(_unknown_rule(name))


def split_names(values: Sequence[str] | None) -> list[str] | None:
    """``["a,b", "c"]`` (repeated or comma-separated flags) -> ``["a", "b", "c"]``."""
    if not values:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def resolve_config(files: Sequence[str | Path] = (), config_path: str | Path | None = None) -> Config:
    """The configuration for an audit of ``files``: the explicit file, or the one
    found upward from the first input, or an empty Config."""
    if config_path is not None:
        return load_config(config_path)
    found = find_config(files)
    return load_config(found) if found is not None else Config()
