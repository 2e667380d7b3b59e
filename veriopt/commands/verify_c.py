"""`veriopt verify-c`: bounded equivalence of two C functions."""
from __future__ import annotations

import argparse
import json

from veriopt.commands.c_args import add_pair_arguments, pair_from_args
from veriopt.verify.c_equiv import DEFAULT_TIMEOUT, DEFAULT_UNROLL, verify_files
from veriopt.verify.verdict import BadInput

HELP = """Prove that the rewritten C function refines the original: on every input
where the original has no undefined behaviour, the rewrite has none, returns
the same value and leaves the same memory. Loops are unrolled --unroll times;
when some input needs more, the verdict is `bounded` ("Transformation is
correct up to K loop iterations (bounded, not a proof)", exit 4), never
`correct`.

A pointer parameter points to a buffer of as many elements as the integer
parameter named `<p>_len`, `n<p>`, ... or, if there is exactly one, `n`,
`len`, `size`, `count`; otherwise of any length. Buffers may overlap unless
declared `restrict`. Counterexamples are compiled and run (gcc -O0 with
UBSan, buffers ending at a guard page) before they are shown.

exit codes: 0 correct (proved for every input and iteration count),
1 incorrect (counterexample shown), 2 bad input, 3 unknown (timeout) or
unsupported construct, 4 bounded (correct up to K iterations, not a proof)."""


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name, help="check that a C rewrite refines the original",
                                   description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_pair_arguments(parser)
    parser.add_argument("--unroll", type=int, default=DEFAULT_UNROLL,
                        help=f"loop iterations to unroll (default {DEFAULT_UNROLL})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time budget in seconds for symbolic execution and solving "
                             f"(default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--no-replay", action="store_true",
                        help="do not compile and run counterexamples")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    pair = pair_from_args(args)
    if args.unroll < 1:
        raise BadInput("--unroll must be at least 1")
    verdict = verify_files(pair, unroll=args.unroll, timeout=args.timeout,
                           replay=not args.no_replay)
    if args.json:
        print(json.dumps(verdict.to_json(), indent=2))
    else:
        print(verdict.render())
        if verdict.counterexample is not None and verdict.counterexample.replayed:
            print()
            for note in verdict.counterexample.replayed:
                print(f"; {note}")
    return verdict.exit_code

