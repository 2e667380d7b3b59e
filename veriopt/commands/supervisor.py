"""Every command runs bounded: its work happens in a forked worker process
with an address-space cap (RLIMIT_AS, `--memory-limit`), in its own process
group, and the supervising parent kills that whole group (solvers, clang,
candidate harnesses included) when the wall clock (`--time-limit`) runs out.

Why a separate process rather than checks inside the run: a Z3 or Bitwuzla
call, a pycparser walk or an allocation does not look at a clock, and a
process at its memory cap may die by a signal. The parent stays small and
always answers: `unknown: time limit ...` or `unknown: memory limit ...`
with exit 3 (JSON: an error document of kind `limit`), never a hang, a
signal death or a traceback.
"""
from __future__ import annotations

import argparse
import atexit
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from typing import Callable

from veriopt.limits import (COMMAND_GRACE_SECONDS, COMMAND_MEMORY_MB, COMMAND_SECONDS,
                            kill_group, megabytes, seconds)

EXIT_UNKNOWN = 3
POLL_SECONDS = 0.02
# after Ctrl-C / SIGTERM the worker gets this long to record what it has
# (the optimizer marks its run `interrupted`) before it is killed
INTERRUPT_GRACE_SECONDS = 5.0
# what a worker at its memory cap tends to die of (std::bad_alloc -> abort,
# a failed allocation dereferenced, the kernel's OOM killer)
_MEMORY_SIGNALS = (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL)


def add_limit_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """--time-limit and --memory-limit, with this command's defaults in the help."""
    if command == "optimize":
        default = f"--budget + {COMMAND_GRACE_SECONDS:g}"
    else:
        default = f"{COMMAND_SECONDS[command]:g}"
    group = parser.add_argument_group("limits of the whole run (exceeded: `unknown`, exit 3)")
    group.add_argument("--time-limit", type=seconds, default=None, metavar="S",
                       help=f"wall-clock seconds for the whole command (default {default})")
    group.add_argument("--memory-limit", type=megabytes, default=COMMAND_MEMORY_MB, metavar="MB",
                       help="address space of the process doing the work, in megabytes "
                            f"(default {COMMAND_MEMORY_MB}); each tool it runs gets at most "
                            "as much")


def time_limit(args: argparse.Namespace) -> float:
    """The wall clock this run may use: --time-limit, else the command's default
    (for `optimize`, its --budget plus a grace for re-checks, timing and reports)."""
    if getattr(args, "time_limit", None):
        return float(args.time_limit)
    if args.command == "optimize":
        from veriopt.commands.optimize import parse_budget
        try:
            return parse_budget(args.budget) + COMMAND_GRACE_SECONDS
        except Exception:  # noqa: BLE001 - the worker reports the bad budget itself
            return COMMAND_SECONDS["optimize"]
    return COMMAND_SECONDS.get(args.command, 3600.0)


def limit_text(kind: str, args: argparse.Namespace) -> str:
    if kind == "time":
        return (f"time limit: the run took more than {time_limit(args):g} s "
                "(raise it with --time-limit)")
    return (f"memory limit: the run needed more than {args.memory_limit} MB "
            "(raise it with --memory-limit)")


def supervise(args: argparse.Namespace, work: Callable[[], int],
              report: Callable[[str], int]) -> int:
    """Run `work()` (which returns an exit code and prints its own output) in
    a worker under the run's limits; `report(limit)` answers for a worker
    that reached one and returns the exit code."""
    limit = time_limit(args)
    parent = os.getpid()
    scratch = tempfile.mkdtemp(prefix="veriopt-run-")   # the worker's TMPDIR, removed after
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as exc:     # no process to spare: run here, unbounded, and say so
        print(f"veriopt: warning: cannot start a worker ({exc.strerror}); the run's time "
              "and memory limits do not apply", file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)
        return work()
    if pid == 0:   # the worker
        code = 5
        try:
            os.environ["TMPDIR"] = tempfile.tempdir = scratch
            os.setpgid(0, 0)
            _die_with(parent)
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (args.memory_limit << 20, hard))
            code = work()
        except BaseException:     # VERIOPT_TRACEBACK=1 re-raises: show it before exiting
            import traceback
            traceback.print_exc()
        finally:
            try:
                atexit._run_exitfuncs()   # os._exit skips them (temporary folders, ...)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    try:
        os.setpgid(pid, pid)     # also here: no window where a kill misses the group
    except OSError:
        pass
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        status = _wait(pid, time.monotonic() + limit)
    except KeyboardInterrupt:
        _interrupt(pid)
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        kill_group(pid)          # whatever the worker left running
        shutil.rmtree(scratch, ignore_errors=True)   # and whatever it left in TMPDIR
    if status is None:
        return report(limit_text("time", args))
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    sig = os.WTERMSIG(status)
    if sig in _MEMORY_SIGNALS:
        name = signal.Signals(sig).name
        return report(limit_text("memory", args) + f"; the worker died by {name}")
    return report(f"the worker died by signal {sig}")


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the supervisor dies (`kill -9`
    of veriopt must not leave the work running unsupervised: what it has
    stored stays, as when veriopt was one process). Linux only; elsewhere
    the worker's own limits still end it."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:                       # it died before prctl took effect
        os._exit(130)


def _wait(pid: int, deadline: float) -> int | None:
    """The worker's wait status, or None after killing it at the deadline.
    Woken by the worker's exit itself where the kernel offers a pidfd (no
    polling delay added to every run), else polling."""
    try:
        fd: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            left = deadline - time.monotonic()
            if left <= 0:
                kill_group(pid)
                os.waitpid(pid, 0)
                return None
            if fd is not None:
                select.select([fd], [], [], left)
            else:
                time.sleep(min(POLL_SECONDS, left))
    finally:
        if fd is not None:
            os.close(fd)


def _interrupt(pid: int) -> None:
    """Pass Ctrl-C on to the worker's group, give it a moment to record its
    state, then kill what is left."""
    try:
        os.killpg(pid, signal.SIGINT)
    except OSError:
        pass
    end = time.monotonic() + INTERRUPT_GRACE_SECONDS
    while time.monotonic() < end:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        time.sleep(POLL_SECONDS)
    kill_group(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
