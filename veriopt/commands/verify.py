"""`veriopt verify`: prove or refute that @tgt refines @src (alive-tv's job)."""
from __future__ import annotations

import argparse

from veriopt.jsonout import document, dumps
from veriopt.limits import SOLVER_SECONDS, Limits, count, seconds
from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.solvers import DEFAULT_SOLVER, SOLVERS
from veriopt.verify.verdict import Status, Verdict, combine, summary, summary_counts

# alive-tv flags we accept under the same names; those not implemented
# answer `unsupported: <flag>` rather than a usage error.
UNIMPLEMENTED_FLAGS: dict[str, str] = {}


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
    p.add_argument("--timeout", type=seconds, default=SOLVER_SECONDS, metavar="S",
                   help=f"seconds per solver query (default {SOLVER_SECONDS:g}, as alive-tv)")
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
    p.add_argument("--src-unroll", type=count, default=0, metavar="N",
                   help="unroll the source's loops exactly N times")
    p.add_argument("--tgt-unroll", type=count, default=0, metavar="N",
                   help="unroll the target's loops exactly N times")
    p.add_argument("--unroll", type=count, default=0, metavar="N",
                   help="both (default: deepen 8, 16, 32, 64; see below)")
    p.add_argument("--tgt-is-asm", action="store_true",
                   help="the target is lifted assembly (alive-tv's asm memory model): "
                        "proved as IR, which the asm target refines; never refuted")
    p.add_argument("--quiet", action="store_true", help="print only the verdict line")
    p.add_argument("--emit-smt", metavar="DIR",
                   help="write every solver query to DIR as SMT-LIB (query-0001.smt2, ...) "
                        "to re-check with another solver")


def options_from_args(args: argparse.Namespace, limits: Limits | None = None) -> VerifyOptions:
    """The verifier's options from the command line; `limits` (built once by
    the command, `Limits.from_args`) gives the solver time."""
    limits = limits or Limits.from_args(args)
    return VerifyOptions(
        timeout=limits.solver_seconds, solver=args.solver,
        disable_undef_input=args.disable_undef_input,
        disable_poison_input=args.disable_poison_input,
        disallow_ub_exploitation=args.disallow_ub_exploitation,
        bidirectional=args.bidirectional,
        src_unroll=args.src_unroll or args.unroll, tgt_unroll=args.tgt_unroll or args.unroll,
        emit_smt=getattr(args, "emit_smt", None), tgt_is_asm=getattr(args, "tgt_is_asm", False))


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
    from veriopt.errors import BadInput
    from veriopt.verify.api import verify_files
    if len(args.files) > 2:
        raise BadInput("give one file holding @src and @tgt, or two files")
    for path in args.files:
        if path.endswith((".c", ".h")):
            raise BadInput("this is C source: use `veriopt verify-c` (verify takes LLVM IR)", path)
    limits = Limits.from_args(args)
    flag = unimplemented_flag(args)
    if flag:
        verdicts = [Verdict.unsupported(flag)]
    else:
        verdicts = verify_files(args.files[0], args.files[1] if len(args.files) > 1 else None,
                                args.src_fn, args.tgt_fn, options_from_args(args, limits))
    overall = combine(verdicts)
    if args.json:
        print(dumps(document("verify", file=list(args.files), verdict=overall.status.value,
                             error=overall.error, summary=summary_counts(verdicts),
                             pairs=[v.to_json() for v in verdicts])))
    else:
        print_verdicts(verdicts, args.quiet, with_summary=len(verdicts) > 1 or len(args.files) > 1)
    return overall.exit_code


SEPARATOR = "-" * 40


def print_verdicts(verdicts: list[Verdict], quiet: bool = False,
                   with_summary: bool = True) -> None:
    """alive-tv's shape, so the output can be pasted into an LLVM issue:
    per pair a blank line, the separator, the pair echoed (`src`, `=>`,
    `tgt`), its verdict and a closing blank line; then the `Summary:` block,
    which alive-tv prints for two files or several pairs but not for a
    single @src/@tgt pair. --quiet prints the verdict lines alone."""
    for v in verdicts:
        if quiet:
            text = v.render()
            print(text if v.status is Status.CORRECT else "\n".join(text.splitlines()[:2]))
            continue
        print(f"\n{SEPARATOR}")
        if v.pair_text:
            print(f"{v.pair_text[0]}\n=>\n{v.pair_text[1]}")
        else:
            print(v.name or "")
        print(v.render_spaced() + "\n")
    if with_summary and not quiet:
        print(summary(verdicts))
