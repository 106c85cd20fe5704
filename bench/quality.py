"""Quality of crossfoot's rules: a mutation corpus and the euses-dev benchmark.

(a) Mutation corpus: clean models of six shapes (bench/corpus/shapes.py) are written with
    cached values and audited (every warning or error on them is a false positive); then
    each mutator (bench/corpus/mutators_structural.py, and mutators_meaning.py when
    present) plants one error at a random place, and the audit must report it under the
    mutator's rule at the planted cell. Prints precision and recall per rule.
(b) euses-dev: crossfoot's JSON over ../shared/benchmarks/euses-dev/files/*.xlsx scored by
    ../shared/benchmarks/score.py --by-tool, beside the published tools.

    .venv/bin/python bench/quality.py                 # both
    .venv/bin/python bench/quality.py --corpus --n 80 --seed 7
    .venv/bin/python bench/quality.py --euses

Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import crossfoot  # noqa: E402
from bench.corpus import write_model  # noqa: E402
from bench.corpus.shapes import SHAPES  # noqa: E402

BENCH = ROOT.parent / "shared" / "benchmarks"


def mutators() -> dict[str, list]:
    """Rule -> mutator functions, from every bench/corpus/mutators_*.py module."""
    out: dict[str, list] = defaultdict(list)
    for path in sorted((ROOT / "bench" / "corpus").glob("mutators_*.py")):
        module = importlib.import_module(f"bench.corpus.{path.stem}")
        for rule, fn in getattr(module, "MUTATORS", {}).items():
            out[rule].append(fn)
    return out


def _flagged(path: Path) -> list[tuple[str, str, str]]:
    report = crossfoot.audit(path)
    fr = report.files[0]
    if fr.error:
        raise RuntimeError(f"{path}: {fr.error}")
    return [(f.rule, f.sheet, f.cell) for f in fr.findings if f.severity != "info"]


def run_corpus(n_per_shape: int, seed: int, verbose: bool = False) -> dict:
    rng = random.Random(seed)
    muts = mutators()
    rules = sorted(muts)
    found = Counter()      # rule -> true positives
    planted = Counter()    # rule -> mutants planted
    flagged = Counter()    # rule -> findings reported (all mutants and clean twins)
    clean_fp: list[tuple[str, tuple]] = []
    misses: list[str] = []
    extras: list[str] = []
    n_mutants = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for shape, build in SHAPES.items():
            for i in range(n_per_shape):
                model = build(random.Random(rng.random()))
                # the clean twin, with formulas and as values only
                for values_only in (False, True):
                    model.values_only = values_only
                    p = write_model(model, tmpdir / f"{shape}_{i}_{int(values_only)}.xlsx")
                    for f in _flagged(p):
                        flagged[f[0]] += 1
                        clean_fp.append((f"{shape}#{i}{' values' if values_only else ''}", f))
                model.values_only = False
                for rule in rules:
                    fn = rng.choice(muts[rule])
                    mutant = fn(model, rng)
                    if mutant is None:
                        continue
                    n_mutants += 1
                    planted[rule] += 1
                    p = write_model(mutant.model, tmpdir / f"{shape}_{i}_{rule}.xlsx")
                    got = _flagged(p)
                    hit = False
                    for f in got:
                        flagged[f[0]] += 1
                        if f == (rule, mutant.sheet, mutant.cell):
                            found[rule] += 1
                            hit = True
                        else:
                            extras.append(f"{shape}#{i} {rule} at {mutant.cell} ({mutant.description}) -> extra {f}")
                    if not hit:
                        misses.append(f"{shape}#{i} {rule} at {mutant.sheet}!{mutant.cell}: "
                                      f"{mutant.description}; got {got}")
    print(f"mutation corpus: {len(SHAPES)} shapes x {n_per_shape} models (seed {seed}), "
          f"{n_mutants} mutants, {len(SHAPES) * n_per_shape * 2} clean twins")
    print(f"{'rule':<24}{'planted':>8}{'found':>7}{'flagged':>8}{'recall':>8}{'precision':>10}")
    for rule in rules:
        tp, pl, fl = found[rule], planted[rule], flagged[rule]
        r = tp / pl if pl else 0.0
        p = tp / fl if fl else 1.0
        print(f"{rule:<24}{pl:>8}{tp:>7}{fl:>8}{r:>8.1%}{p:>10.1%}")
    others = sorted(set(flagged) - set(rules))
    for rule in others:
        print(f"{rule:<24}{'-':>8}{'-':>7}{flagged[rule]:>8}   (no mutator; every finding counts against precision)")
    print(f"findings on clean twins: {len(clean_fp)}")
    if verbose:
        for x in clean_fp[:30]:
            print("  clean:", x)
        for x in misses[:40]:
            print("  miss:", x)
        for x in extras[:40]:
            print("  extra:", x)
    return {"found": found, "planted": planted, "flagged": flagged, "clean": clean_fp}


def run_euses(out: Path) -> None:
    files = sorted((BENCH / "euses-dev" / "files").glob("*.xlsx"))
    if not files:
        print(f"euses-dev not found under {BENCH}")
        return
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = crossfoot.audit(*files)
    elapsed = time.perf_counter() - t0
    out.write_text(json.dumps(report.to_dict(), default=str))
    print(f"euses-dev: {len(files)} workbooks audited in {elapsed:.1f}s -> {out}")
    subprocess.run([sys.executable, str(BENCH / "score.py"), str(BENCH / "euses-dev" / "labels.json"),
                    str(out), "--by-tool"], check=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="store_true", help="run the mutation corpus only")
    ap.add_argument("--euses", action="store_true", help="run the euses-dev benchmark only")
    ap.add_argument("--n", type=int, default=15, help="models per shape (mutants = shapes x n x rules)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "euses-dev.json")
    args = ap.parse_args(argv)
    both = not (args.corpus or args.euses)
    if args.corpus or both:
        run_corpus(args.n, args.seed, args.verbose)
    if args.euses or both:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        run_euses(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
