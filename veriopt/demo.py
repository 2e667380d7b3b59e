"""`make demo`: a real end-to-end run on bundled examples, offline.

First `veriopt optimize` with the offline agents (no LLM) on a bundled IR
function that LLVM -O3 leaves as it is: the agents find a cheaper version,
the verifier proves it, and the report shows the cost reduction and the
measured speed-up. Then the verifier's two answers on their own: a rewrite
proved correct, and a plausible-looking wrong one refuted with a
counterexample that was replayed (in SMT and in LLVM's JIT) before being
shown.
"""
from __future__ import annotations

import json
import sys
import tempfile
from importlib import resources
from pathlib import Path

from veriopt.verify.api import verify_files
from veriopt.verify.verdict import Status

EXAMPLES = [
    ("select-to-umin.ll", "vector select idiom -> llvm.umin"),
    ("sdiv-pow2-wrong.ll", "sdiv by 4 -> ashr by 2 (a classic wrong fold)"),
    ("div-hoisted.ll", "division hoisted out of its zero check"),
]


def optimize_demo() -> int:
    """`veriopt optimize` offline on the bundled rotate; 0 when it found a
    proved, cheaper result and re-checked it."""
    from veriopt.cli import main as cli
    path = resources.files("veriopt.corpus") / "optimize" / "rotl.ll"
    out = Path(tempfile.mkdtemp(prefix="veriopt-demo-"))
    result_file = out / "rotl.opt.ll"
    print("=== optimize: a rotate spelled with two shifts (offline agents, no LLM)")
    print(f"$ veriopt optimize {path} -o {result_file} --report {out} --budget 40s")
    print(path.read_text().strip())
    print("---", flush=True)
    code = cli(["optimize", str(path), "-o", str(result_file), "--report", str(out),
                "--budget", "40s", "--runs", "9"])
    sys.stderr.flush()
    report = json.loads((out / "report.json").read_text())
    res = report["result"]
    if code != 0 or res is None or res["proof"] != "proved" or report["rechecks"]["failed"]:
        print("optimize demo: no proved improvement (unexpected)")
        return 1
    print("--- proved result:")
    print(result_file.read_text().strip())
    print(f"(report: {out}/report.html, {out}/report.md, {out}/report.json)\n")
    return 0


def main() -> int:
    corpus = resources.files("veriopt.corpus") / "verify"
    failures = optimize_demo()
    for name, title in EXAMPLES:
        path = corpus / name
        print(f"=== {title}\n$ veriopt verify {path}")
        print(path.read_text().strip() if hasattr(path, "read_text") else "")
        print("---")
        verdicts = verify_files(str(path))
        for v in verdicts:
            print(v.render())
            if v.counterexample is not None:
                print("(replayed: " + "; ".join(v.counterexample.replayed) + ")")
            print(f"[{v.seconds:.2f}s, solver {v.solver}]")
            expected_correct = "wrong" not in name and "hoisted" not in name
            if (v.status is Status.CORRECT) != expected_correct:
                failures += 1
        print()
    print("demo finished: " + ("all verdicts as expected" if not failures
                               else f"{failures} unexpected verdict(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
