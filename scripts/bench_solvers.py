#!/usr/bin/env python3
"""Compare the solver back ends on the conformance set and the bundled
corpus: pass count, agreement, total and median time per test.

    .venv/bin/python scripts/bench_solvers.py [FOLDER ...]

Runs on one process per solver so the times are comparable (the machine
has 2 cores); prints a table and which solver was fastest in total.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

from veriopt.verify import conformance as C

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT.parent / "shared" / "conformance" / "alive2", ROOT / "veriopt" / "corpus" / "verify"]


def cases_of(folder: Path) -> list[C.Case]:
    cases = C.discover(folder)
    if (folder / "manifest.jsonl").exists():
        cases = C.select(cases, ["int"], ["x86"])
    return cases


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [f for f in DEFAULT if f.exists()]
    cases = [c for f in folders for c in cases_of(f)]
    print(f"{len(cases)} tests from {', '.join(map(str, folders))}")
    results = {}
    for solver in ("z3", "bitwuzla", "portfolio"):
        outs = C.run_all(cases, jobs=1, timeout=10.0, solver=solver)
        results[solver] = outs
        s = C.summarize(outs)
        times = sorted(o.seconds for o in outs)
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{solver:10} passed {s['passed']:3}/{s['scored']:3}  unsound {s['unsound']}  "
              f"unknown {s['unknown']:2}  total {s['total_seconds']:7.2f}s  "
              f"median {statistics.median(times):.4f}s  p90 {p90:.3f}s  max {times[-1]:.2f}s")
    z3_got = {o.file: o.got for o in results["z3"]}
    for solver in ("bitwuzla", "portfolio"):
        disagree = [o.file for o in results[solver]
                    if o.got in ("correct", "incorrect") and z3_got[o.file] in ("correct", "incorrect")
                    and o.got != z3_got[o.file]]
        print(f"z3 vs {solver}: {len(disagree)} disagreement(s) {disagree[:5]}")
    best = min(results, key=lambda k: C.summarize(results[k])["total_seconds"])
    print(f"fastest in total: {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
