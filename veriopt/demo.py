"""`make demo`: a real end-to-end run on bundled examples, offline.

Until the optimizer lands this shows the verifier's two answers: a rewrite
proved correct, and a plausible-looking wrong one refuted with a
counterexample that was replayed (in SMT and in LLVM's JIT) before being
shown.
"""
from __future__ import annotations

import sys
from importlib import resources

from veriopt.verify.api import verify_files
from veriopt.verify.verdict import Status

EXAMPLES = [
    ("select-to-umin.ll", "vector select idiom -> llvm.umin"),
    ("sdiv-pow2-wrong.ll", "sdiv by 4 -> ashr by 2 (a classic wrong fold)"),
    ("div-hoisted.ll", "division hoisted out of its zero check"),
]


def main() -> int:
    corpus = resources.files("veriopt.corpus") / "verify"
    failures = 0
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
