#!/usr/bin/env python3
"""Wall time of `veriopt verify` against alive-tv, one process per test.

Each test of a conformance folder (manifest.jsonl: file, args) is run once
by each tool as its own process, the two alternating test by test so that a
change in the machine's load touches both alike; both get the same
per-query solver timeout. Prints each tool's total and median wall time and
the ratio of the totals (veriopt / alive-tv):

    .venv/bin/python scripts/time_vs_alive_tv.py --root DIR [--timeout 20] [--limit N] [--json FILE]

A process that outlives --wall seconds is killed and counted at --wall.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

VERIOPT = [sys.executable, "-m", "veriopt.cli", "verify"]


def timed(cmd: list[str], wall: float) -> tuple[float, str]:
    """Seconds from start to exit, and the last line printed (or why it stopped)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=wall)
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit {proc.returncode}"
    except subprocess.TimeoutExpired:
        return wall, "killed at the wall-clock limit"
    return time.perf_counter() - start, last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, required=True, help="folder with manifest.jsonl")
    ap.add_argument("--alive-tv", default=os.environ.get("VERIOPT_ALIVE_TV", "alive-tv"))
    ap.add_argument("--timeout", type=float, default=20.0, help="solver seconds per query, both tools")
    ap.add_argument("--wall", type=float, default=120.0, help="seconds before a process is killed")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tests")
    ap.add_argument("--json", type=Path, help="also write per-test times here")
    args = ap.parse_args()

    cases = [json.loads(line) for line in (args.root / "manifest.jsonl").read_text().splitlines()
             if line.strip()]
    cases = [c for c in cases if c["verdict"] in ("correct", "incorrect")]
    if args.limit:
        cases = cases[:args.limit]
    rows = []
    for k, case in enumerate(cases, 1):
        path = str(args.root / case["file"])
        flags = case.get("args", [])
        ours = VERIOPT + [path, "--timeout", f"{args.timeout:g}"] + _veriopt_flags(flags)
        theirs = [args.alive_tv, path, f"-smt-to={int(args.timeout * 1000)}"] + flags
        t_ours, last_ours = timed(ours, args.wall)
        t_theirs, last_theirs = timed(theirs, args.wall)
        rows.append({"file": case["file"], "veriopt": round(t_ours, 3), "alive_tv": round(t_theirs, 3),
                     "veriopt_last": last_ours, "alive_tv_last": last_theirs})
        print(f"[{k}/{len(cases)}] {t_ours:7.2f}s {t_theirs:7.2f}s  {case['file']}", flush=True)
    ours_total = sum(r["veriopt"] for r in rows)
    theirs_total = sum(r["alive_tv"] for r in rows)
    print(f"\n{len(rows)} tests, one process each")
    print(f"veriopt : total {ours_total:8.1f}s  median {statistics.median(r['veriopt'] for r in rows):.3f}s")
    print(f"alive-tv: total {theirs_total:8.1f}s  median {statistics.median(r['alive_tv'] for r in rows):.3f}s")
    print(f"ratio of totals (veriopt / alive-tv): {ours_total / theirs_total:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


def _veriopt_flags(flags: list[str]) -> list[str]:
    """alive-tv's `-src-unroll=4` as veriopt's `--src-unroll 4` (its
    timeout and reporting flags are set here for both tools)."""
    out = []
    for flag in flags:
        name, eq, value = flag.lstrip("-").partition("=")
        if name not in ("smt-to", "always-verify", "quiet"):
            out += [f"--{name}"] + ([value] if eq else [])
    return out


if __name__ == "__main__":
    sys.exit(main())
