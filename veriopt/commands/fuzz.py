"""`veriopt fuzz`: differential fuzzing of two C functions, or of the @src/@tgt
pairs of an .ll file (evidence, not proof)."""
from __future__ import annotations

import argparse
import tempfile

import hypothesis.configuration

from veriopt.commands.c_args import add_pair_arguments, pair_from_args
from veriopt.errors import BadInput
from veriopt.jsonout import document, dumps
from veriopt.limits import Limits, seconds
from veriopt.verify.fuzz import fuzz_files, fuzz_ir
from veriopt.verify.fuzz_stats import FuzzStats
from veriopt.verify.verdict import Status, Verdict

HELP = """Run the original and the rewritten function on the same generated inputs
(edge values, buffers that alias and that do not) and compare results and
memory. Inputs on which the original has undefined behaviour are skipped
(UBSan traps, faults, no result within a second, or an outcome that depends
on uninitialised memory: the original is built twice, with such memory
filled with 0xfe bytes and with zeros, and inputs on which the two builds
disagree are skipped); the output says how many.
Finding nothing is not a proof: the verdict is "no counterexample in N runs".
Given one .ll file, its @src/@tgt pairs run on the IR semantics' interpreter.

exit codes: 0 never (fuzzing proves nothing), 1 difference found,
2 bad input, 3 no difference found / unsupported."""

# The command's default is larger than the optimizer's gate (limits.FUZZ_EXAMPLES):
# a user who asks for fuzzing alone can afford more inputs.
EXAMPLES = 10000
# ... and at most this long: a function that never returns costs a second
# per input (10,000 inputs would be hours); stopping says how many ran.
TIME_BUDGET = 120.0


def register(subparsers: argparse._SubParsersAction, name, summary: str) -> None:
    parser = subparsers.add_parser(name, help=summary,
                                   description=HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_pair_arguments(parser)
    parser.add_argument("--examples", dest="fuzz_examples", type=int, default=EXAMPLES,
                        help=f"number of inputs to try (default {EXAMPLES})")
    parser.add_argument("--time-budget", type=seconds, default=TIME_BUDGET, metavar="S",
                        help="stop generating inputs after this many seconds, reporting the "
                             f"runs so far (default {TIME_BUDGET:g})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input generator")
    parser.set_defaults(run=run)


def render(verdict: Verdict, stats: FuzzStats | None = None) -> str:
    """Fuzzing's own words for "nothing found": it must not read like a
    proof; and how many inputs were skipped (the IR fuzzer's reason does
    not say)."""
    if verdict.status is Status.UNKNOWN and (verdict.reason or "").startswith("no counterexample"):
        text = verdict.reason
        if stats is not None and "skipped" not in text:
            text += stats.skipped_text()
        return text
    text = verdict.render()
    if stats is not None and verdict.status is Status.INCORRECT and stats.skipped:
        text += f"\n({stats.runs} runs; {stats.skipped_summary()})"
    return text


def run(args: argparse.Namespace) -> int:
    limits = Limits.from_args(args)
    if limits.fuzz_examples < 1:
        raise BadInput("--examples must be at least 1")
    stats = FuzzStats()
    if args.original.endswith(".ll"):
        verdict = fuzz_ir(args.original, limits.fuzz_examples, args.time_budget, args.seed, stats)
    else:
        pair = pair_from_args(args)
        # hypothesis keeps caches under its home directory (./.hypothesis by
        # default): keep the user's working directory clean.
        previous = vars(hypothesis.configuration).get("__hypothesis_home_directory")
        with tempfile.TemporaryDirectory(prefix="veriopt-hypothesis-") as home:
            hypothesis.configuration.set_hypothesis_home_dir(home)
            try:
                verdict = fuzz_files(pair, limits.fuzz_examples, args.time_budget, args.seed,
                                     stats=stats)
            finally:
                hypothesis.configuration.set_hypothesis_home_dir(previous)
    if args.json:
        print(dumps(document("fuzz", **verdict.to_json(), examples=limits.fuzz_examples,
                             seed=args.seed, **stats.to_json())))
    else:
        print(render(verdict, stats))
    return verdict.exit_code
