"""Compile one C function into the test harness and run it on concrete
inputs, sandboxed.

Candidate code only ever runs here, in a child process with the CPU,
memory, file-size and wall-clock limits of `veriopt.limits`. Each function
is compiled on its own (`-O0`, UBSan), its entry renamed and every other
symbol made local with objcopy, so two files defining the same names can be
linked side by side. One child runs a batch of inputs (`harness`); a case
that ends the process is reported and the batch resumes after it.

A build can fix the initial contents of memory nobody wrote (`init`):
automatic variables through `-ftrivial-auto-var-init`, malloc'ed blocks
through glibc's perturb tunable (tcache off, or reused blocks would keep
the previous input's bytes). Two builds that differ only there disagree on
an input exactly when the function's outcome depends on uninitialised
memory there: UB that UBSan does not see (the fuzzer's `ub_builds`).
"""
from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from veriopt.errors import BadInput
from veriopt.limits import (COMPILE_SECONDS, RUN_MEMORY_MB, RUN_SECONDS, TOOL_MEMORY_MB,
                            LimitExceeded, effective_memory_mb, ran_out_of_memory, run_tool)
from veriopt.translation.c_types import CType, IntT
from veriopt.verify.c_pair import format_int
from veriopt.verify.concrete.harness import ENTRY, Case, harness_source
from veriopt.verify.concrete.sandbox import sandboxed


@dataclass
class Result:
    """What one run produced: `ok` with a value and memory, or why not."""

    status: str                     # ok | ub | crash | timeout
    ret: int | None = None          # raw bits of the return value
    memory: list[bytes] | None = None
    message: str = ""


def compiler() -> str:
    for tool in ("gcc", "clang-22", "clang", "cc"):
        exe = shutil.which(tool)
        if exe:
            return exe
    raise BadInput("no C compiler found (need gcc or clang)")


# init -> (compiler value of -ftrivial-auto-var-init, environment of the run):
# glibc fills each malloc'ed block with perturb ^ 0xff (0xfe bytes, like
# gcc's pattern, or zeros); calloc stays zero, as it must.
INIT = {
    "pattern": ("pattern", {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.perturb=1"}),
    "zero": ("zero", {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0:glibc.malloc.perturb=255"}),
}


@functools.lru_cache(maxsize=None)
def supports_auto_init(cc: str) -> bool:
    """Does `cc` take -ftrivial-auto-var-init=pattern and =zero (gcc 12,
    clang 16 and later)? Without it the fuzzer cannot tell reads of
    uninitialised locals apart, and says so."""
    try:
        proc = run_tool([cc, "-ftrivial-auto-var-init=pattern", "-ftrivial-auto-var-init=zero",
                         "-Werror", "-x", "c", "-c", "-o", os.devnull, "-"],
                        COMPILE_SECONDS, TOOL_MEMORY_MB, input="int f(void){int a; return a;}\n",
                        text=True, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def describe(result: Result, ret_t: CType) -> str:
    """What a run did, for a counterexample's source or target line."""
    if result.status == "ok":
        if isinstance(ret_t, IntT) and result.ret is not None:
            return "returned " + format_int(result.ret & ((1 << ret_t.bits) - 1), ret_t)
        return "returned"
    if result.status == "ub":
        return "UB: " + result.message
    return f"{result.status}: {result.message}"


def sanitizer_flags(cc: str, trap: bool) -> list[str]:
    """UBSan that aborts with a message (replay) or traps in place (fuzzing)."""
    if not trap:
        return ["-fsanitize=undefined", "-fno-sanitize-recover=all"]
    if "clang" in Path(cc).name:
        return ["-fsanitize=undefined", "-fsanitize-trap=undefined"]
    return ["-fsanitize=undefined", "-fsanitize-undefined-trap-on-error"]


class Binary:
    """One function compiled into a harness executable.

    `trap=True` makes every UBSan check a trap the harness catches, so a
    batch goes on after an input with UB (for fuzzing); `trap=False` gives
    UBSan's own message and ends the process (for replaying one input).
    `init` (a key of INIT) fixes what uninitialised memory holds.
    """

    def __init__(self, path: str, function: str, params: list[tuple[str, CType]],
                 ret_t: CType, workdir: Path, tag: str, trap: bool = False,
                 memory_mb: int = RUN_MEMORY_MB, compile_seconds: float = COMPILE_SECONDS,
                 init: str | None = None):
        self.path = path
        self.memory = memory_mb << 20
        self.compile_seconds = compile_seconds
        self.function = function
        self.params = params
        self.ret_t = ret_t
        cc = compiler()
        self.trap = trap
        self.exe = workdir / f"{tag}.bin"
        self.obj = workdir / f"{tag}.o"
        self.link = [] if trap else sanitizer_flags(cc, False)
        self.flags = ["-O0", "-std=gnu11", "-w", "-fno-strict-aliasing"] + sanitizer_flags(cc, trap)
        self.env: dict[str, str] = {}
        if init is not None:
            self.flags.append(f"-ftrivial-auto-var-init={INIT[init][0]}")
            self.env = INIT[init][1]
        self.description = f"{Path(cc).name} {' '.join(self.flags)}"
        self._build(cc, workdir, tag)

    def _run_tool(self, cmd: list[str], what: str) -> None:
        try:
            proc = run_tool(cmd, self.compile_seconds, TOOL_MEMORY_MB, text=True,
                            errors="replace")
        except subprocess.TimeoutExpired:
            raise LimitExceeded(f"time limit: {what} took more than "
                                f"{self.compile_seconds:g} s") from None
        if proc.returncode != 0 and ran_out_of_memory(proc.returncode, proc.stderr):
            raise LimitExceeded(f"memory limit: {what} needed more than "
                                f"{effective_memory_mb()} MB")
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["failed"])[0]
            raise BadInput(f"{what} failed: {first}", self.path)

    def _build(self, cc: str, workdir: Path, tag: str) -> None:
        raw = workdir / f"{tag}.raw.o"
        self._run_tool([cc, "-c", *self.flags, str(Path(self.path).resolve()), "-o", str(raw)],
                       "compiling")
        self._run_tool(["objcopy", f"--redefine-sym={self.function}={ENTRY}",
                        f"--keep-global-symbol={ENTRY}", str(raw), str(self.obj)], "objcopy")
        main = workdir / f"{tag}.main.c"
        main.write_text(harness_source(self.params, self.ret_t))
        self._run_tool([cc, "-O1", "-w", *self.link, str(main), str(self.obj), "-o",
                        str(self.exe)], "linking the harness")

    def run(self, cases: list[Case], per_case: float = RUN_SECONDS, timeout: float | None = None,
            stop_at_timeout: bool = False, deadline: float | None = None) -> list[Result]:
        """Run all cases, resuming after any case that ended the process.

        `per_case`: seconds one input may run (an alarm in the harness);
        `timeout`: the whole batch's wall clock (default: enough for all).
        With `stop_at_timeout` the results end at the first case that ran
        out of time (the fuzzer needs no more once the target hangs).
        `deadline` (time.monotonic()): the results end where it passed; a
        case cut off by it is left out, not reported as a timeout (it says
        nothing about the function).
        """
        results: list[Result] = []
        lines = [c.encode(self.params) for c in cases]
        limit = timeout if timeout is not None else per_case * len(cases) + 5.0
        while len(results) < len(cases):
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            cut = left is not None and left < limit
            results += self._batch(lines[len(results):], per_case, min(limit, left or limit),
                                   stop_at_timeout, cut)
            if stop_at_timeout and results and results[-1].status == "timeout":
                break
        return results

    def _batch(self, lines: list[str], per_case: float, limit: float,
               stop_at_timeout: bool = False, cut: bool = False) -> list[Result]:
        cpu = max(1, int(limit) + 1)
        ms = max(1, int(per_case * 1000))
        argv = [str(self.exe), str(ms), "1" if stop_at_timeout else "0"]
        out, err, code, timed_out = sandboxed(argv, "\n".join(lines) + "\n", limit, cpu,
                                              self.memory, self.env)
        results = [self._parse(line, per_case) for line in out.splitlines()
                   if line.startswith(("R ", "X "))]
        if len(results) >= len(lines):
            return results[:len(lines)]
        if stop_at_timeout and results and results[-1].status == "timeout":
            return results
        if timed_out and cut:
            return results        # the run's deadline, not the function, ended it
        if timed_out or code in (-9, -24):
            results.append(Result("timeout", message="the process ran out of time"))
        elif "runtime error" in err:
            msg = err[err.index("runtime error"):].splitlines()[0]
            results.append(Result("ub", message=msg))
        else:
            why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
            results.append(Result("crash", message=why))
        return results

    def _parse(self, line: str, per_case: float) -> Result:
        if line.startswith("X "):
            sig = int(line.split()[1])
            return _signal_result(sig, per_case)
        head, *groups = line.split(" M")
        value = head.split()[1]
        ret = None if value == "-" else int(value, 16)
        memory = [bytes(int(b, 16) for b in g.split()) for g in groups]
        return Result("ok", ret, memory)


def _signal_result(sig: int, per_case: float) -> Result:
    if sig == signal.SIGALRM:
        return Result("timeout", message=f"no result within {per_case:g} s")
    if sig in (signal.SIGILL, signal.SIGTRAP):
        return Result("ub", message="undefined behaviour trapped by -fsanitize=undefined")
    if sig == signal.SIGFPE:
        return Result("ub", message="arithmetic exception (SIGFPE)")
    return Result("crash", message=f"memory fault ({signal.Signals(sig).name})")


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="veriopt-c-")
