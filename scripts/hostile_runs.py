#!/usr/bin/env python3
"""Hostile and malformed runs of the real `veriopt` command line (issue 14).

Generates about --count runs (default 500) from a seed: mutated and hostile
LLVM IR (truncated, byte-flipped, non-UTF-8, wrong types, huge widths and
vectors, deep chains, unpaired functions), mutated and hostile C (syntax
errors, infinite loops, recursion, huge arrays, deep nesting, preprocessor
tricks, fork/system candidates), missing paths and directories, bad flags,
garbage stores and unwritable outputs. Each run gets a `--time-limit` and
`--memory-limit`, a wall-clock guard (its limit + GUARD seconds), and is
judged on: exit code, a traceback in its output, death by a signal, wall
time past its limit + 5 s, peak memory of any of its processes past its cap,
`--json` stdout that is not one valid document of the schema, and an
internal error reported with an exit code other than 5.

The runs themselves are built in scripts/hostile_inputs.py. Run:

    .venv/bin/python scripts/hostile_runs.py [--count 500] [--seed 0] [--jobs 2]
        [--out runs.jsonl]

Exit status 0 when no run broke a rule, else 1.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_inputs import MEMORY_MB, build  # noqa: E402
SCHEMA = json.loads((ROOT / "docs" / "schema" / "veriopt.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
GUARD = 30.0           # the script kills a run this long after its own limit
OVER = 5.0             # a run past its limit + OVER seconds breaks the rule

# ------------------------------------------------------------ running and judging

def kill_session(sid: int) -> list[str]:
    """SIGKILL every process of session `sid` (the run and everything it
    started that did not start a session of its own); their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200])
                os.kill(int(entry.name), 9)
        except (OSError, ValueError):
            continue
    return found


def execute(run: dict, env: dict[str, str], cwd: Path) -> dict:
    """Run one command under the guard: exit code, seconds, peak memory
    (largest process of its tree, from wait4), and what it printed."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "veriopt.cli", *run["argv"]], stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                start_new_session=True)
        guarded = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > run["limit"] + GUARD:
                guarded = True
                kill_session(proc.pid)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        leftovers = kill_session(proc.pid)   # anything it left behind
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {**run, "code": proc.returncode, "seconds": round(time.monotonic() - start, 2),
            "max_rss_mb": usage.ru_maxrss // 1024, "guarded": guarded, "leftovers": leftovers,
            "stdout": stdout, "stderr": stderr}


def judge(res: dict) -> list[str]:
    """The rules a run broke (empty: it ended as it should)."""
    broken = []
    text = res["stdout"] + res["stderr"]
    if "Traceback (most recent call last)" in text:
        broken.append("traceback")
    if res["code"] < 0:
        broken.append("signal")
    if res["seconds"] > res["limit"] + OVER:
        broken.append("over-time")
    if res["max_rss_mb"] > MEMORY_MB + 64:     # the supervisor's own few MB of slack
        broken.append("over-memory")
    if "internal error" in res["stderr"] and res["code"] != 5:
        broken.append("internal-not-5")
    if res["code"] in (0, 1) and "internal error" in res["stderr"]:
        broken.append("internal-as-verdict")
    if "--json" in res["argv"] and res["argv"][0] in ("verify", "verify-c", "fuzz", "optimize",
                                                     "conformance", "bench"):
        try:
            VALIDATOR.validate(json.loads(res["stdout"]))
        except (ValueError, jsonschema.ValidationError) as exc:
            broken.append("bad-json")
            res["json_problem"] = str(exc).splitlines()[0][:200]
    if res["leftovers"]:
        broken.append("leftover-process")
    return broken


def table(results: list[dict]) -> str:
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for res in results:
        by_cat[res["category"]].append(res)
    codes = sorted({res["code"] for res in results})
    head = ["category", "runs"] + [f"exit {c}" for c in codes] + [
        "tracebacks", "signals", "over limit+5s", "over memory", "internal!=5", "bad json",
        "left procs", "max s"]
    rows = []
    for cat, group in sorted(by_cat.items()) + [("TOTAL", results)]:
        count = Counter(res["code"] for res in group)
        broken = Counter(b for res in group for b in res["broken"])
        rows.append([cat, len(group)] + [count.get(c, 0) for c in codes] + [
            broken["traceback"], broken["signal"], broken["over-time"], broken["over-memory"],
            broken["internal-not-5"] + broken["internal-as-verdict"], broken["bad-json"],
            broken["leftover-process"], max(res["seconds"] for res in group)])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda row: "| " + " | ".join(str(x).rjust(w) for x, w in zip(row, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(row) for row in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="about this many runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="runs side by side (default 2)")
    parser.add_argument("--out", help="write every run (argv, code, output tails) as JSON lines")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "VERIOPT_"))}
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory(prefix="veriopt-hostile-") as tmp:
        work, cwd = Path(tmp) / "inputs", Path(tmp) / "cwd"
        work.mkdir()
        cwd.mkdir()
        runs = build(work, args.count, args.seed)
        print(f"{len(runs)} runs, {args.jobs} at a time ...", file=sys.stderr)
        start = time.monotonic()
        results = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for n, res in enumerate(pool.map(lambda run: execute(run, env, cwd), runs), 1):
                res["broken"] = judge(res)     # on the whole output, then keep its end
                res["stdout"], res["stderr"] = res["stdout"][-2000:], res["stderr"][-2000:]
                results.append(res)
                if res["broken"]:
                    print(f"[{n}] {' '.join(res['broken'])}: veriopt {' '.join(res['argv'])}\n"
                          f"    exit {res['code']}, {res['seconds']} s: "
                          f"{(res['stderr'] or res['stdout']).strip()[-300:]}", file=sys.stderr)
        stray = sorted(p.name for p in cwd.iterdir())
    pwned = Path("/tmp/pwned").exists()
    if args.out:
        with open(args.out, "w") as fh:
            for res in results:
                fh.write(json.dumps(res) + "\n")
    print(table(results))
    print(f"\n{len(results)} runs in {time.monotonic() - start:.0f} s; files written into the "
          f"runs' working directory: {len(stray)} {stray[:5]}; /tmp/pwned written by a "
          f"candidate's system(): {pwned}")
    return 1 if any(res["broken"] for res in results) or stray or pwned else 0


if __name__ == "__main__":
    sys.exit(main())
