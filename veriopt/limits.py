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

# The whole command (`--time-limit`, `--memory-limit`): the work runs in a
# child process with this address-space cap, killed at this wall clock, so a
# hostile input ends in `unknown: time limit` / `unknown: memory limit`
# (exit 3), never a hang or a machine out of memory. `optimize` gets its
# --budget plus COMMAND_GRACE_SECONDS (reports and timing follow the budget).
COMMAND_SECONDS = {"verify": 600.0, "verify-c": 600.0, "fuzz": 600.0,
                   "conformance": 3600.0, "bench": 14400.0, "optimize": 3600.0}
COMMAND_GRACE_SECONDS = 600.0
COMMAND_MEMORY_MB = 8192
TOOL_MEMORY_MB = 4096        # one clang-22 / cpp / opt-22 process


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


class LimitExceeded(Exception):
    """A run reached one of its limits (time or memory, of the command or
    of a tool it ran): `unknown: <limit>`, exit 3 — never a verdict, never
    an internal error, never a hang."""

    def __init__(self, limit: str):
        self.limit = limit
        super().__init__(limit)


# what a tool prints when an allocation fails under its address-space cap
_OUT_OF_MEMORY = ("out of memory", "memory exhausted", "bad_alloc", "cannot allocate memory",
                  "virtual memory exhausted")


def ran_out_of_memory(returncode: int, stderr: str) -> bool:
    """Did a tool run under `child_limits` die of its memory cap? (It says
    so, or it was SIGKILLed, the kernel's OOM killer; a SIGSEGV is more often
    a stack overflow, which the caller reports as such.)"""
    text = stderr.lower()
    return any(m in text for m in _OUT_OF_MEMORY) or returncode == -9


def count(text: str) -> int:
    """argparse type for a count or bound that may be 0 (`--unroll 0`: the
    default deepening) but not negative."""
    import argparse
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of 0 or more")
    return value


def megabytes(text: str) -> int:
    """argparse type for a memory flag: whole megabytes, at least 256 (a
    Python process with the solvers loaded needs about that much address
    space to start)."""
    import argparse
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of megabytes") from None
    if value < 256:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least 256 megabytes")
    return value


def effective_memory_mb(memory_mb: int = TOOL_MEMORY_MB) -> int:
    """The cap a tool started now gets: `memory_mb`, or this process's own
    address-space limit when that is lower (see child_limits)."""
    import resource
    cap = memory_mb << 20
    for ceiling in resource.getrlimit(resource.RLIMIT_AS):
        if ceiling != resource.RLIM_INFINITY:
            cap = min(cap, ceiling)
    return cap >> 20


def child_limits(memory_mb: int = TOOL_MEMORY_MB, cpu_seconds: float | None = None,
                 new_group: bool = True):
    """A `preexec_fn` for a tool veriopt runs (compiler, preprocessor,
    solver): an address-space cap (at most the caller's own), optionally a
    CPU cap, no core file, and its own process group so a timeout can kill
    the tool and its children together (`kill_group`)."""
    def apply() -> None:
        import os
        import resource
        cap = effective_memory_mb(memory_mb) << 20   # never above the run's own cap
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if cpu_seconds is not None:
            cpu = max(1, int(cpu_seconds) + 1)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if new_group:
            os.setpgid(0, 0)
    return apply


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by `pid` (see child_limits); quiet
    when it is already gone."""
    import os
    import signal
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_tool(cmd: list[str], seconds: float, memory_mb: int = TOOL_MEMORY_MB,
             input: str | None = None, **kwargs):
    """subprocess.run(capture_output=True) for a tool, under `child_limits`,
    whose whole process group is killed when `seconds` pass (subprocess.run
    alone kills only the direct child: cc1 under a gcc driver would go on).
    Raises subprocess.TimeoutExpired like subprocess.run."""
    import subprocess
    stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
    with subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          preexec_fn=child_limits(memory_mb), **kwargs) as proc:
        try:
            out, err = proc.communicate(input, timeout=seconds)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid)
            proc.communicate()
            raise
        finally:
            kill_group(proc.pid)
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
