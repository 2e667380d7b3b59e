#!/usr/bin/env python3
"""Does `veriopt verify` print what alive-tv prints, block for block?

Runs alive-tv and `veriopt verify` on every .ll file under a folder (by
default the shared Alive2 conformance set), keeps the files on which both
reach the same verdict, reduces each output to its line structure, and
says how many agree:

    scripts/compare_shape.py [--root DIR] [--jobs 2] [--limit N] [--show 5]

The reduction (`shape`) keeps what a reader relies on -- the blank lines,
the `----` separator, `=>`, the verdict lines, `ERROR:`, the `Example:` /
`Source:` / `Target:` headings, the `Summary:` block and its counts -- and
drops what legitimately differs: the echoed IR (alive-tv prints its own IR
dialect), the values of an example (another model, memory dumps),
alive-tv's advisory `****` WARNING boxes and its "NOTE: The counterexample
is unique." (an extra query veriopt does not run). Exit status 0 when every
compared file matches, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from veriopt.limits import SOLVER_SECONDS

SEPARATOR = "-" * 40
ALIVE_TV = Path("/work/shared/tools/alive2/run-alive-tv")
DEFAULT_ROOT = Path("/work/shared/conformance")
HEADLINES = ("Transformation seems to be correct!", "Transformation doesn't verify!",
             "Transformation is correct up to ", "Reverse transformation")
COMPARED = ("correct", "incorrect", "unknown")
# alive-tv runs one more query to say this; veriopt does not (yet)
UNIQUE_NOTE = "NOTE: The counterexample is unique."


def shape(text: str) -> list[str]:
    """The line structure of alive-tv-style output (see the module docstring)."""
    out: list[str] = []
    state = "top"
    lines = iter(text.splitlines())
    trailing_blank = False
    for line in lines:
        if state == "example" and (line == SEPARATOR or line == "Summary:"):
            out += [""] if trailing_blank else []
            state = "top"
        if line == SEPARATOR:
            out.append("----")
            state = "src"
        elif state == "src":
            if line == "=>":
                out += ["<ir>", "=>"]
                state = "tgt"
        elif state in ("tgt", "verdict") and line.startswith("*" * 10):
            _skip_box(lines)
        elif state == "verdict" and line == UNIQUE_NOTE:
            next(lines, None)      # and its blank line
        elif state == "tgt":
            if line.startswith(HEADLINES) or line.startswith("ERROR:"):
                out += ["<ir>", _verdict_line(line)]
                state = "verdict"
        elif state == "verdict" and line == "Example:":
            out.append(line)
            state, trailing_blank = "example", False
        elif state == "example":
            if line in ("Source:", "Target:"):
                out.append(line)
            trailing_blank = not line.strip()
        else:
            out.append(_verdict_line(line))
    if state == "example" and trailing_blank:
        out.append("")
    return out


def _verdict_line(line: str) -> str:
    return "ERROR: ..." if line.startswith("ERROR:") else line.rstrip()


def _skip_box(lines) -> None:
    """alive-tv's `****` WARNING box and the blank line after it."""
    for line in lines:
        if line.startswith("*" * 10):
            break
    next(lines, None)


def verdict_of(text: str) -> str:
    """The file's verdict as the output states it, worst pair first."""
    if "Transformation doesn't verify!" in text:
        return "incorrect"
    if "ERROR: Timeout" in text or "ERROR: SMT Error" in text:
        return "unknown"
    if "ERROR: Unsupported" in text:
        return "unsupported"
    if "Transformation is correct up to " in text:
        return "bounded"
    if "Transformation seems to be correct!" in text and "ERROR:" not in text:
        return "correct"
    return "other"


def test_flags(path: Path, manifest: dict[str, list[str]], root: Path) -> list[str]:
    """alive-tv's flags for a test: from manifest.jsonl, else `; TEST-ARGS:` lines."""
    key = str(path.relative_to(root))
    if key in manifest:
        return manifest[key]
    flags: list[str] = []
    for found in re.findall(r"^\s*;\s*TEST-ARGS:(.*)$", path.read_text(errors="replace"), re.M):
        flags += found.split()
    return flags


def veriopt_flags(flags: list[str]) -> list[str]:
    """alive-tv's `-name[=value]` flags in veriopt verify's spelling."""
    out: list[str] = []
    for flag in flags:
        name, _, value = flag.lstrip("-").partition("=")
        if name in ("smt-to", "always-verify", "quiet"):
            continue
        out += [f"--{name}"] + ([value] if value else [])
    return out


def run(cmd: list[str], wall: float) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=wall).stdout
    except subprocess.TimeoutExpired:
        return "ERROR: Timeout (wall clock)\n"


def compare_texts(alive: str, ours: str) -> tuple[str, str, bool]:
    """(alive-tv's verdict, veriopt's verdict, whether the shapes agree)."""
    return verdict_of(alive), verdict_of(ours), shape(alive) == shape(ours)


def compare_file(path: Path, flags: list[str], alive_tv: str, seconds: float) -> dict:
    alive = run([alive_tv, f"-smt-to={int(seconds * 1000)}", *flags, str(path)], seconds * 6)
    ours = run([sys.executable, "-m", "veriopt.cli", "verify", "--timeout", str(seconds),
                *veriopt_flags(flags), str(path)], seconds * 6)
    a, b, same = compare_texts(alive, ours)
    return {"file": str(path), "alive_tv": a, "veriopt": b, "same_shape": same,
            "alive_shape": shape(alive), "veriopt_shape": shape(ours)}


def load_manifests(root: Path) -> dict[str, list[str]]:
    flags: dict[str, list[str]] = {}
    for manifest in root.rglob("manifest.jsonl"):
        for line in manifest.read_text().splitlines():
            if line.strip():
                item = json.loads(line)
                key = str((manifest.parent / item["file"]).relative_to(root))
                flags[key] = item.get("args", [])
    return flags


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder of .ll files")
    ap.add_argument("--alive-tv", default=str(ALIVE_TV), help="alive-tv executable")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=SOLVER_SECONDS,
                    help="solver seconds per query")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("--show", type=int, default=5, help="print this many differing shapes")
    ap.add_argument("--json", metavar="FILE", help="also write every comparison here")
    args = ap.parse_args(argv)
    manifest = load_manifests(args.root)
    files = sorted(args.root.rglob("*.ll"))[:args.limit or None]
    with ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda p: compare_file(p, test_flags(p, manifest, args.root),
                                                    args.alive_tv, args.seconds), files))
    compared = [r for r in rows if r["alive_tv"] == r["veriopt"] and r["alive_tv"] in COMPARED]
    matched = [r for r in compared if r["same_shape"]]
    for r in [r for r in compared if not r["same_shape"]][:args.show]:
        print(f"--- {r['file']} ({r['alive_tv']})\n  alive-tv: {r['alive_shape']}\n"
              f"  veriopt:  {r['veriopt_shape']}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print(f"{len(files)} files; verdicts agree on {len(compared)}; same shape: "
          f"{len(matched)}/{len(compared)}")
    return 0 if len(matched) == len(compared) else 1


if __name__ == "__main__":
    sys.exit(main())
