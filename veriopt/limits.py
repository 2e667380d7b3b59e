"""The limits of one run: solver time and memory, loop bounds, fuzzing,
concrete execution, the LLM. Built once from the command line
(`Limits.from_args`) and passed down, so a default is written in one place
and a user's `--timeout` reaches every solver the run starts.

Ground floor: it imports nothing of veriopt, so every layer may take a
`Limits` (or read a default from here) without importing upward.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, fields, replace

# Loop bounds tried in turn when the user gives none (IR and C alike): a
# check stops at the first proof or refutation, else it is `bounded`.
UNROLL_DEEPENING = (8, 16, 32, 64)

SOLVER_SECONDS = 10.0        # per query, as alive-tv's default
SOLVER_MEMORY_MB = 4096      # a solver or alive-tv process
RUN_SECONDS = 10.0           # one concrete execution of candidate code (JIT, compiled C)
RUN_MEMORY_MB = 2048
FUZZ_EXAMPLES = 2000         # differential inputs per candidate in the optimizer's gate
FUZZ_SECONDS = 10.0
COMPILE_SECONDS = 60.0       # clang-22 / opt-22 on one file
LLM_SECONDS = 60.0           # one request to the model server
RECHECK_SECONDS = 30.0       # a second, longer look at a candidate that timed out


@dataclass(frozen=True)
class Limits:
    """How much one run may spend. `unroll=0` means deepen through
    UNROLL_DEEPENING (a check beyond the bound is `bounded`, never `correct`)."""

    solver_seconds: float = SOLVER_SECONDS
    solver_memory_mb: int = SOLVER_MEMORY_MB
    unroll: int = 0
    run_seconds: float = RUN_SECONDS
    run_memory_mb: int = RUN_MEMORY_MB
    fuzz_examples: int = FUZZ_EXAMPLES
    fuzz_seconds: float = FUZZ_SECONDS
    compile_seconds: float = COMPILE_SECONDS
    llm_seconds: float = LLM_SECONDS
    recheck_seconds: float = RECHECK_SECONDS

    # command-line attribute -> field, for the flags commands share
    FLAGS = {"timeout": "solver_seconds", "unroll": "unroll", "fuzz_examples": "fuzz_examples",
             "fuzz_seconds": "fuzz_seconds", "llm_timeout": "llm_seconds"}

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Limits":
        """The limits a parsed command line asks for; flags a command does not
        define keep their defaults."""
        given = {field: getattr(args, flag) for flag, field in cls.FLAGS.items()
                 if getattr(args, flag, None) is not None}
        return cls(**given)

    def with_(self, **changes) -> "Limits":
        return replace(self, **changes)

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def seconds(text: str) -> float:
    """argparse type for a time flag: a finite number of seconds above 0
    (`--timeout 0` would leave no time for anything, and used to crash)."""
    import argparse
    import math
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return value
