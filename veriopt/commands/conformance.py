"""`veriopt conformance DIR`: score the verifier on Alive2-style tests."""
from __future__ import annotations

import argparse
from pathlib import Path

from veriopt.errors import BadInput
from veriopt.jsonout import document, dumps
from veriopt.limits import SOLVER_SECONDS, Limits, seconds
from veriopt.progress import progress
from veriopt.verify.solvers import DEFAULT_SOLVER, SOLVERS


def register(sub, name, summary: str) -> None:
    p = sub.add_parser(name, help=summary)
    p.add_argument("folder", help="folder of .ll tests (with manifest.jsonl when present)")
    p.add_argument("--tags", default="", help="comma-separated tags every test must have")
    p.add_argument("--exclude-tags", default="", help="comma-separated tags to leave out")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--timeout", type=seconds, default=SOLVER_SECONDS, metavar="S",
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
    if args.jobs < 1:
        raise BadInput("--jobs must be at least 1")
    try:
        found = C.discover(folder)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:   # a malformed manifest
        raise BadInput("manifest.jsonl must hold one JSON object with \"file\" and "
                       f"\"verdict\" a line ({type(exc).__name__}: {exc})",
                       str(folder / "manifest.jsonl")) from None
    except OSError as exc:        # a directory named *.ll, an unreadable test
        raise BadInput(f"cannot read a test: {exc.strerror}", exc.filename or str(folder)) from None
    cases = C.select(found, _split(args.tags), _split(args.exclude_tags))
    if not cases:
        raise BadInput("no tests found (check --tags)", str(folder))

    done = [0]
    limits = Limits.from_args(args)
    with progress("conformance", total=len(cases), quiet=not args.json) as bar:
        def report(out) -> None:
            done[0] += 1
            bar.advance(out.file)
            if not args.json and (not args.failures_only or not out.passed):
                mark = "PASS" if out.passed else ("UNSOUND" if out.unsound else "FAIL")
                if not out.scored:
                    mark = "SKIP"
                print(f"[{done[0]}/{len(cases)}] {mark:7} {out.file}  expected {out.expected}, "
                      f"got {out.got} ({out.seconds:.2f}s)"
                      + (f"  {out.detail}" if not out.passed and out.detail else ""),
                      flush=True)
        outcomes = C.run_all(cases, args.jobs, limits.solver_seconds, args.solver, report)
    summary = C.summarize(outcomes)
    summary["by_tag"] = C.by_tag(outcomes, C.load_reference(folder))
    summary["unsupported_features"] = C.unsupported_features(outcomes)
    if args.json:
        print(dumps(document("conformance", summary=summary,
                             results=[C.outcome_json(o) for o in outcomes])))
    else:
        _print_summary(summary)
    return 1 if summary["unsound"] else 0


def _print_summary(s: dict) -> None:
    print(f"\npassed {s['passed']}/{s['scored']} scored ({s['total']} total); "
          f"unsound {s['unsound']}; false alarms {s['false_alarms']}; "
          f"unsupported {s['unsupported']}; unknown {s['unknown']}; bounded {s['bounded']}; "
          f"bad input {s['bad_input']}; crashes {s['crashes']}")
    print(f"time: total {s['total_seconds']:.1f}s, median {s['median_seconds']:.3f}s per test")
    if s["by_tag"]:
        reference = s["by_tag"][0]["alive_tv_passed"] is not None
        print(f"\n{'tag':10} {'scored':>6} {'passed':>7} {'unsupp.':>7} {'unsound':>7}"
              + (f" {'alive-tv':>8}" if reference else ""))
        for row in s["by_tag"]:
            print(f"{row['tag']:10} {row['scored']:6} {row['passed']:7} {row['unsupported']:7} "
                  f"{row['unsound']:7}" + (f" {row['alive_tv_passed']:8}" if reference else ""))
    if s["unsupported_features"]:
        print("\nunsupported, by feature (tests):")
        for name, count in s["unsupported_features"].items():
            print(f"  {count:4}  {name}")


def _split(text: str) -> list[str]:
    return [t for t in text.split(",") if t]
