"""`veriopt verify`: prove or refute that @tgt refines @src (alive-tv's job)."""
from __future__ import annotations

import argparse
import json

from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.solvers import DEFAULT_SOLVER, SOLVERS
from veriopt.verify.verdict import Status, Verdict, combine, summary

# alive-tv flags we accept under the same names; those not implemented
# answer `unsupported: <flag>` rather than a usage error.
UNIMPLEMENTED_FLAGS = {"tgt_is_asm": "--tgt-is-asm"}


VERDICTS = """verdicts (alive-tv's wording) and exit codes:
  0  correct     "Transformation seems to be correct!" (every input, every iteration count)
  1  incorrect   "Transformation doesn't verify!", ERROR: <kind>, and a replayed Example
  2  bad input   file:line:col: error: ...
  3  unknown     "ERROR: Timeout" / "ERROR: SMT Error: ..."; unsupported: "ERROR: Unsupported: ..."
  4  bounded     "Transformation is correct up to K loop iterations (bounded, not a proof)"

Loops: --unroll N checks exactly N iterations; without it, 8, 16, 32, 64 while
four query timeouts last. A check some execution goes beyond is bounded.
"""


def add_verify_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds per solver query (default 10, as alive-tv)")
    p.add_argument("--solver", choices=SOLVERS, default=DEFAULT_SOLVER,
                   help="z3, bitwuzla (quantifier-free queries; Z3 for the rest) or portfolio")
    p.add_argument("--disable-undef-input", action="store_true",
                   help="assume arguments are never undef")
    p.add_argument("--disable-poison-input", action="store_true",
                   help="assume arguments are never poison")
    p.add_argument("--disallow-ub-exploitation", action="store_true",
                   help="as alive-tv: defined inputs; the source may not have guardable UB, "
                        "reach unreachable or return poison; the target may not return "
                        "poison or undef")
    p.add_argument("--bidirectional", action="store_true",
                   help="also check that the source refines the target")
    p.add_argument("--src-unroll", type=int, default=0, metavar="N",
                   help="unroll the source's loops exactly N times")
    p.add_argument("--tgt-unroll", type=int, default=0, metavar="N",
                   help="unroll the target's loops exactly N times")
    p.add_argument("--unroll", type=int, default=0, metavar="N",
                   help="both (default: deepen 8, 16, 32, 64; see below)")
    p.add_argument("--tgt-is-asm", action="store_true", help="(not implemented: unsupported)")
    p.add_argument("--quiet", action="store_true", help="print only the verdict line")
    p.add_argument("--emit-smt", metavar="DIR",
                   help="write every solver query to DIR as SMT-LIB (query-0001.smt2, ...) "
                        "to re-check with another solver")


def options_from_args(args: argparse.Namespace) -> VerifyOptions:
    return VerifyOptions(
        timeout=args.timeout, solver=args.solver,
        disable_undef_input=args.disable_undef_input,
        disable_poison_input=args.disable_poison_input,
        disallow_ub_exploitation=args.disallow_ub_exploitation,
        bidirectional=args.bidirectional,
        src_unroll=args.src_unroll or args.unroll, tgt_unroll=args.tgt_unroll or args.unroll,
        emit_smt=getattr(args, "emit_smt", None))


def unimplemented_flag(args: argparse.Namespace) -> str | None:
    for attr, flag in UNIMPLEMENTED_FLAGS.items():
        if getattr(args, attr, False):
            return flag
    return None


def register(sub, name, summary: str) -> None:
    p = sub.add_parser(name, help=summary,
                       description="Verify LLVM IR rewrites. One file: @src/@tgt (and @srcN/@tgtN) "
                                   "pairs. Two files: functions matched by name. Parameters "
                                   "correspond by position.",
                       epilog=VERDICTS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE.ll", help="one or two .ll files")
    p.add_argument("--src-fn", help="source function name")
    p.add_argument("--tgt-fn", help="target function name")
    p.add_argument("--json", action="store_true", help="machine-readable verdicts")
    add_verify_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from veriopt.verify.api import verify_files
    from veriopt.errors import BadInput
    if len(args.files) > 2:
        raise BadInput("give one file holding @src and @tgt, or two files")
    for path in args.files:
        if path.endswith((".c", ".h")):
            raise BadInput("this is C source: use `veriopt verify-c` (verify takes LLVM IR)", path)
    flag = unimplemented_flag(args)
    if flag:
        verdicts = [Verdict.unsupported(flag)]
    else:
        verdicts = verify_files(args.files[0], args.files[1] if len(args.files) > 1 else None,
                                args.src_fn, args.tgt_fn, options_from_args(args))
    overall = combine(verdicts)
    if args.json:
        print(json.dumps({"file": args.files, "verdict": overall.status.value,
                          "error": overall.error, "pairs": [v.to_json() for v in verdicts]},
                         indent=2))
    else:
        print_verdicts(verdicts, args.quiet)
    return overall.exit_code


def print_verdicts(verdicts: list[Verdict], quiet: bool = False) -> None:
    """alive-tv's shape, so the output can be pasted into an LLVM issue:
    each pair echoed, its verdict, and a closing Summary block. --quiet
    prints the verdict lines alone."""
    for v in verdicts:
        text = v.render()
        if quiet:
            print(text if v.status is Status.CORRECT else "\n".join(text.splitlines()[:2]))
            continue
        print("\n----------------------------------------")
        if v.pair_text:
            print(f"{v.pair_text[0]}\n=>\n{v.pair_text[1]}")
        else:
            print(v.name or "")
        print(text)
    if not quiet:
        print(f"\n{summary(verdicts)}")
