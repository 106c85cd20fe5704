"""Findings and the rule registry.

A rule is a module in ``crossfoot.rules`` that defines one subclass of ``Rule`` with its
documentation (what it finds, why it matters, an example, the fix) and a ``check``
method that reads the audit context and yields ``Finding`` objects. Rules are found by
scanning the package, so adding a rule is adding a module.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
import pkgutil
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterator

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass
class Fix:
    """A proposed repair: a new formula for the finding's cell (or a value), and/or a
    new label. ``description`` says in words what changes."""

    formula: str | None = None
    label: str | None = None
    label_cell: str | None = None
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Impact:
    """What applying a fix does to one cell: its value before and after."""

    sheet: str
    cell: str
    label: str | None
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def change(self) -> float | None:
        if isinstance(self.before, (int, float)) and isinstance(self.after, (int, float)) and self.before:
            return (self.after - self.before) / abs(self.before)
        return None


@dataclass
class Finding:
    """One problem at one place: a cell (``F5``) or a range (``F5:F9``) of a sheet."""

    rule: str
    severity: str
    sheet: str
    cell: str
    message: str
    fix: Fix | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    impact: list[Impact] = field(default_factory=list)
    # rules whose fix on the same cell this finding's fix replaces (``rules.overlaps``)
    supersedes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule, "severity": self.severity, "sheet": self.sheet,
            "cell": self.cell, "message": self.message,
        }
        if self.fix is not None:
            out["fix"] = self.fix.to_dict()
        if self.impact:
            out["impact"] = [i.to_dict() for i in self.impact]
        if self.evidence:
            out["evidence"] = self.evidence
        return out


class Rule(ABC):
    """Base class of every rule. Subclasses set the class attributes and ``check``."""

    name: ClassVar[str]
    severity: ClassVar[str] = "warning"
    summary: ClassVar[str]
    what: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    fix: ClassVar[str]
    # Rules whose fix on the same cell this rule's fix replaces and covers: the other
    # finding is kept, its formula dropped (``crossfoot.rules.overlaps``).
    supersedes: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        """Yield the rule's findings on the workbook of ``ctx``."""

    def finding(self, sheet: str, cell: str, message: str, **kw: Any) -> Finding:
        kw.setdefault("severity", self.severity)
        kw.setdefault("supersedes", self.supersedes)
        return Finding(rule=self.name, sheet=sheet, cell=cell, message=message, **kw)

    @classmethod
    def documentation(cls) -> str:
        """The rule's page in Markdown: what, why, example, fix."""
        return (f"# {cls.name}\n\n{cls.summary}\n\n## What it finds\n{cls.what.strip()}\n\n"
                f"## Why it matters\n{cls.why.strip()}\n\n## Example\n{cls.example.strip()}\n\n"
                f"## Fix\n{cls.fix.strip()}\n")


_REGISTRY: dict[str, type[Rule]] = {}
_NOT_RULES = {"base", "overlaps"}


def _discover() -> None:
    if _REGISTRY:
        return
    import crossfoot.rules as package

    for mod in pkgutil.iter_modules(package.__path__):
        if mod.name.startswith("_") or mod.name in _NOT_RULES:
            continue
        module = importlib.import_module(f"crossfoot.rules.{mod.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__:
                _REGISTRY[obj.name] = obj


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by name, sorted."""
    _discover()
    return dict(sorted(_REGISTRY.items()))


def get_rule(name: str) -> type[Rule]:
    rules = all_rules()
    if name not in rules:
        raise KeyError(name)
    return rules[name]
