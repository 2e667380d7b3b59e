#!/usr/bin/env python3
"""Every loop rewrite induction proves, re-checked by alive-tv to a bound.

Mutates the target of each bundled loop rewrite (veriopt/corpus/loops) at
random, as tests/verify/test_induction.py does; for every mutant that
veriopt's induction proves for all iteration counts, runs alive-tv with
-src-unroll=K -tgt-unroll=K. Any alive-tv refutation is an unsound proof:
the mutant is written to --keep and the exit status is 1.

    .venv/bin/python scripts/induction_vs_alive_tv.py [--per-file 30] [--seed 1] [--unroll 16]
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "verify"))

from test_induction import LOOPS, attempt, mutate  # noqa: E402

from veriopt.verify.induction import Proof  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-file", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unroll", type=int, default=16)
    ap.add_argument("--alive-tv", default=os.environ.get("VERIOPT_ALIVE_TV", "alive-tv"))
    ap.add_argument("--keep", type=Path, default=Path("induction-out"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tried = proved = refuted = undecided = 0
    for path in LOOPS:
        text = path.read_text()
        for _ in range(args.per_file):
            mutant = mutate(text, rng)
            tried += 1
            try:
                result = attempt(mutant)
            except Exception:   # noqa: BLE001 - text LLVM rejects is no mutant
                continue
            if not isinstance(result, Proof):
                continue
            proved += 1
            with tempfile.NamedTemporaryFile("w", suffix=".ll", delete=False) as f:
                f.write(mutant)
            out = subprocess.run([args.alive_tv, f.name, f"-src-unroll={args.unroll}",
                                  f"-tgt-unroll={args.unroll}", "-smt-to=20000"],
                                 capture_output=True, text=True, timeout=300).stdout
            os.unlink(f.name)
            if "doesn't verify" in out:
                refuted += 1
                args.keep.mkdir(exist_ok=True)
                (args.keep / f"{path.stem}-{proved}.ll").write_text(mutant)
                print(f"UNSOUND: {path.stem} mutant {proved} (kept)", flush=True)
            elif "seems to be correct" not in out:
                undecided += 1
    print(f"{tried} mutants, {proved} proved by induction; alive-tv (unroll {args.unroll}) "
          f"refuted {refuted}, did not decide {undecided}")
    return 1 if refuted else 0


if __name__ == "__main__":
    sys.exit(main())
