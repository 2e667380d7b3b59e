#!/usr/bin/env python3
"""How fast differential fuzzing finds the bugs in the C corpus.

For every incorrect pair of veriopt/corpus/c/manifest.json, fuzz for at most
--budget seconds (default 10) and print whether a counterexample was found,
its error kind and the time it took, then the detection rate. Run:

    .venv/bin/python scripts/bench_fuzz.py [--budget 10] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from veriopt.verify.c_equiv import Pair  # noqa: E402
from veriopt.verify.fuzz import fuzz_files  # noqa: E402
from veriopt.verify.verdict import Status  # noqa: E402

CORPUS = ROOT / "veriopt" / "corpus" / "c"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per pair")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    pairs = [p for p in json.loads((CORPUS / "manifest.json").read_text())["pairs"]
             if p["expected"] == "incorrect"]
    found_times = []
    print(f"{'pair':24} {'found':6} {'kind (expected)':44} {'seconds':>8}")
    for p in pairs:
        pair = Pair(str(CORPUS / p["original"]), p["src_fn"], str(CORPUS / p["rewritten"]),
                    p["tgt_fn"])
        start = time.monotonic()
        verdict = fuzz_files(pair, examples=10**7, time_budget=args.budget, fuzz_seed=args.seed)
        elapsed = time.monotonic() - start
        found = verdict.status is Status.INCORRECT
        if found:
            found_times.append(elapsed)
        kind = verdict.error if found else (verdict.reason or "")[:40]
        same = "" if not found or verdict.error == p["error"] else f" (expected {p['error']})"
        print(f"{p['name']:24} {'yes' if found else 'no':6} {kind + same:44} {elapsed:8.2f}",
              flush=True)
    rate = len(found_times) / len(pairs)
    print(f"\nfound {len(found_times)}/{len(pairs)} = {rate:.0%} within {args.budget:g} s each")
    if found_times:
        print(f"time to counterexample: median {statistics.median(found_times):.2f} s, "
              f"max {max(found_times):.2f} s, total {sum(found_times):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
