"""`veriopt conformance DIR`: score the verifier on Alive2-style tests."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from veriopt.errors import BadInput
from veriopt.jsonout import document, dumps
from veriopt.limits import SOLVER_SECONDS, Limits
from veriopt.verify.solvers import DEFAULT_SOLVER, SOLVERS


def register(sub, name, summary: str) -> None:
    p = sub.add_parser(name, help=summary)
    p.add_argument("folder", help="folder of .ll tests (with manifest.jsonl when present)")
    p.add_argument("--tags", default="", help="comma-separated tags every test must have")
    p.add_argument("--exclude-tags", default="", help="comma-separated tags to leave out")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--timeout", type=float, default=SOLVER_SECONDS, metavar="S",
                   help=f"seconds per solver query (default {SOLVER_SECONDS:g})")
    p.add_argument("--solver", choices=SOLVERS, default=DEFAULT_SOLVER)
    p.add_argument("--json", action="store_true", help="machine-readable results")
    p.add_argument("--failures-only", action="store_true", help="list only failed tests")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from veriopt.verify import conformance as C
    folder = Path(args.folder)
    if not folder.is_dir():
        raise BadInput("not a folder of tests", str(folder))
    cases = C.select(C.discover(folder), _split(args.tags), _split(args.exclude_tags))
    if not cases:
        raise BadInput("no tests found (check --tags)", str(folder))

    done = [0]

    def progress(out) -> None:
        done[0] += 1
        if not args.json and (not args.failures_only or not out.passed):
            mark = "PASS" if out.passed else ("UNSOUND" if out.unsound else "FAIL")
            if not out.scored:
                mark = "SKIP"
            print(f"[{done[0]}/{len(cases)}] {mark:7} {out.file}  expected {out.expected}, "
                  f"got {out.got} ({out.seconds:.2f}s)"
                  + (f"  {out.detail}" if not out.passed and out.detail else ""),
                  flush=True)
        elif args.json:
            print(f"\r{done[0]}/{len(cases)}", end="", file=sys.stderr, flush=True)

    limits = Limits.from_args(args)
    outcomes = C.run_all(cases, args.jobs, limits.solver_seconds, args.solver, progress)
    summary = C.summarize(outcomes)
    if args.json:
        print(file=sys.stderr)
        print(dumps(document("conformance", summary=summary,
                             results=[C.outcome_json(o) for o in outcomes])))
    else:
        s = summary
        print(f"\npassed {s['passed']}/{s['scored']} scored ({s['total']} total); "
              f"unsound {s['unsound']}; false alarms {s['false_alarms']}; "
              f"unsupported {s['unsupported']}; unknown {s['unknown']}; bounded {s['bounded']}; "
              f"bad input {s['bad_input']}; crashes {s['crashes']}")
        print(f"time: total {s['total_seconds']:.1f}s, median {s['median_seconds']:.3f}s per test")
    return 1 if summary["unsound"] else 0


def _split(text: str) -> list[str]:
    return [t for t in text.split(",") if t]
