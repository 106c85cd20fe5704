"""The rules stage: one module per rule, each yielding Findings.

A rule reads the grid and the meaning layer through the AuditContext; it never opens a
file, parses XML, tokenizes formula text or formats output.
"""

from crossfoot.rules.base import Finding, Fix, Impact, Rule, all_rules, get_rule

__all__ = ["Finding", "Fix", "Impact", "Rule", "all_rules", "get_rule"]
