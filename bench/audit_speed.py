"""A full audit of the 1,000,000-cell workbook against openpyxl's single load of it.

The workbook is ``bench/workbooks.py``'s ``large_workbook(100_000)`` (100,000 data rows x 7
columns and 50,000 summary rows x 6 columns, 45% formulas, Excel-style shared formulas).
Both sides run in a fresh process, one after the other:

- crossfoot: ``crossfoot.audit(path)`` (read, structure, every rule), with the time of
  each stage (read, structure, each rule) printed beside the total;
- openpyxl: one normal-mode load (formulas only, no cached values).

    .venv/bin/python bench/audit_speed.py [--rows 100000] [--profile]

Prints the two times and their ratio (target: at most 1.0); never fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workbooks import large_workbook, openpyxl_single_load_seconds, shape  # noqa: E402

_AUDIT = """
import json, sys, time, resource
t0 = time.perf_counter()
import crossfoot
from crossfoot.audit import AuditContext, audit_workbook
from crossfoot.rules.base import all_rules
from crossfoot.understand.structure import workbook_structure
path, profile = sys.argv[1], sys.argv[2] == "1"
if profile:
    import cProfile, pstats
    prof = cProfile.Profile(); prof.enable()
from crossfoot.grid.model import collector_paused
paused = collector_paused()  # as crossfoot.audit() runs read and rules
paused.__enter__()
t = time.perf_counter()
wb = crossfoot.load(path)
stages = {"read": time.perf_counter() - t}
ctx = AuditContext(wb)
t = time.perf_counter()
workbook_structure(ctx)
stages["structure"] = time.perf_counter() - t
findings = 0
for name, rule in all_rules().items():
    t = time.perf_counter()
    findings += sum(1 for _ in rule().check(ctx))
    stages[name] = time.perf_counter() - t
paused.__exit__(None, None, None)
total = time.perf_counter() - t0
if profile:
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
print(json.dumps({"seconds": total, "stages": stages, "findings": findings,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="data rows (100,000 -> 1,000,000 cells)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the audit to stderr")
    ap.add_argument("--plain", action="store_true",
                    help="the same workbook without shared-formula groups (as scripts save it)")
    args = ap.parse_args(argv)
    path = large_workbook(args.rows, shared=not args.plain)
    dims = shape(args.rows)
    print(f"workbook: {path.name}, {dims['cells']:,} cells, {dims['formulas']:,} formulas")
    out = subprocess.run([sys.executable, "-c", _AUDIT, str(path), "1" if args.profile else "0"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr)
        return 0
    if args.profile:
        print(out.stderr)
    audit = json.loads(out.stdout.strip().splitlines()[-1])
    base = openpyxl_single_load_seconds(path)
    print(f"crossfoot full audit:      {audit['seconds']:7.2f} s  ({audit['findings']} findings, "
          f"peak {audit['peak_mb']:.0f} MB)")
    for stage, secs in audit["stages"].items():
        print(f"  {stage:<24}{secs:7.2f} s")
    print(f"openpyxl single load:      {base['seconds']:7.2f} s  (peak {base['peak_mb']:.0f} MB)")
    print(f"ratio audit / openpyxl load: {audit['seconds'] / base['seconds']:.2f}  (target <= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
