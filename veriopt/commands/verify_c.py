"""`veriopt verify-c`: bounded equivalence of two C functions."""
from __future__ import annotations

import argparse

from veriopt.commands.c_args import add_pair_arguments, pair_from_args
from veriopt.errors import BadInput
from veriopt.jsonout import document, dumps
from veriopt.limits import Limits, seconds
from veriopt.translation.c_smt import FULL_UNROLL_LIMIT
from veriopt.verify.c_equiv import DEEPENING, DEFAULT_TIMEOUT, verify_files

_BOUNDS = " -> ".join(map(str, DEEPENING))

HELP = f"""Prove that the rewritten C function refines the original: on every input
where the original has no undefined behaviour, the rewrite has none, returns
the same value and leaves the same memory.

Loops: a `for` loop whose header bounds its trip count (`i < 100`, or a
counter compared with a value its type keeps small, such as a `uint8_t`
bound: at most 255 iterations) is unrolled fully, up to {FULL_UNROLL_LIMIT}
iterations; that is a proof. Other loops are unrolled to a bound K. When
every input finishes within the limits the verdict is `correct`; when some
input needs more iterations it is `bounded`: "Transformation is correct up
to K loop iterations (bounded, not a proof)", exit code 4, JSON "verdict":
"bounded" with "bound": K. Never `correct`: a difference after iteration
K+1 is still a difference.

Without --unroll the bound deepens, {_BOUNDS}, stopping at the
first bound that proves or refutes. All rounds share the --timeout budget;
when it runs out, the last bounded result is reported with a note naming
the bound that did not finish. --unroll K checks exactly K iterations
(no deepening): a user who names a bound gets that bound.

A pointer parameter points to a buffer of as many elements as the integer
parameter named `<p>_len`, `n<p>`, ... or, if there is exactly one, `n`,
`len`, `size`, `count`; otherwise of any length. Buffers may overlap unless
declared `restrict`. Counterexamples are compiled and run (gcc -O0 with
UBSan, buffers ending at a guard page) before they are shown.

exit codes: 0 correct (proved for every input and iteration count),
1 incorrect (counterexample shown), 2 bad input, 3 unknown (timeout) or
unsupported construct, 4 bounded (correct up to K iterations, not a proof)."""


def register(subparsers: argparse._SubParsersAction, name, summary: str) -> None:
    parser = subparsers.add_parser(name, help=summary,
                                   description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_pair_arguments(parser)
    parser.add_argument("--unroll", type=int, default=None, metavar="K",
                        help="check exactly K iterations of each loop whose trip count is "
                             f"not bounded by its header (default: deepen {_BOUNDS})")
    parser.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT,
                        help="time budget in seconds for symbolic execution and solving, "
                             f"shared by all deepening rounds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--no-replay", action="store_true",
                        help="do not compile and run counterexamples")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    pair = pair_from_args(args)
    if args.unroll is not None and args.unroll < 1:
        raise BadInput("--unroll must be at least 1")
    limits = Limits.from_args(args)
    verdict = verify_files(pair, unroll=limits.unroll or None, timeout=limits.solver_seconds,
                           replay=not args.no_replay)
    if args.json:
        print(dumps(document("verify-c", **verdict.to_json())))
    else:
        print(verdict.render())
        if verdict.counterexample is not None and verdict.counterexample.replayed:
            print()
            for note in verdict.counterexample.replayed:
                print(f"; {note}")
    return verdict.exit_code

