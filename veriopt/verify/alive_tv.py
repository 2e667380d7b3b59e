"""alive-tv (Alive2) as an independent checker: run it on a module holding
@src and @tgt and read its verdict.

Why here: alive-tv is the reference nobody on this project wrote. The
differential tests and `scripts/differential.py` compare veriopt with it,
and the optimizer re-checks accepted IR rewrites with it when it is
installed. It is never required: `find_alive_tv()` returning None means
"not available", and callers carry on without it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from veriopt.limits import COMPILE_SECONDS, SOLVER_MEMORY_MB, SOLVER_SECONDS

ENV_VAR = "VERIOPT_ALIVE_TV"

# alive-tv's answers, in our verdict vocabulary (Status values)
CORRECT = "correct"
INCORRECT = "incorrect"
UNKNOWN = "unknown"          # timeout, solver gave up, out of memory
UNSUPPORTED = "unsupported"  # alive-tv could not model or parse it
CRASHED = "crashed"          # alive-tv did not finish normally


@dataclass
class AliveResult:
    status: str
    error: str | None = None   # Alive2's error kind for INCORRECT, reason otherwise
    output: str = ""

    @property
    def decided(self) -> bool:
        return self.status in (CORRECT, INCORRECT)


def find_alive_tv() -> str | None:
    """The alive-tv executable: $VERIOPT_ALIVE_TV, else `alive-tv` on PATH,
    if it starts (its runtime libraries may be missing)."""
    exe = os.environ.get(ENV_VAR) or shutil.which("alive-tv")
    if not exe or not os.access(exe, os.X_OK):
        return None
    return exe if usable(exe) else None


_usable: dict[str, bool] = {}


def usable(exe: str) -> bool:
    """Does `exe --version` run (asked once per executable)?"""
    if exe not in _usable:
        _usable[exe] = not start_problem(exe)
    return _usable[exe]


def start_problem(exe: str) -> str:
    """Why `exe` cannot serve as alive-tv ("" if `exe --version` runs): its
    runtime libraries may be missing, so being on PATH is not enough."""
    if not os.access(exe, os.X_OK):
        return f"alive-tv at {exe} is not executable"
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True,
                              timeout=COMPILE_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"alive-tv at {exe} cannot start: {exc}"
    if proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}")
        return f"alive-tv at {exe} cannot start: " + " ".join(msg.splitlines()[:2])
    return ""


_ERROR = re.compile(r"^ERROR: (.*)$", re.M)


def parse_output(text: str) -> AliveResult:
    """alive-tv's verdict for the first (normally only) pair in its output."""
    if "Transformation seems to be correct!" in text:
        return AliveResult(CORRECT, output=text)
    errors = _ERROR.findall(text)
    if "Transformation doesn't verify!" in text and errors:
        return AliveResult(INCORRECT, errors[0].strip(), text)
    if errors:
        kind = errors[0].strip()
        if kind.startswith(("Timeout", "SMT Error", "Out of memory")) or "approximat" in kind:
            return AliveResult(UNKNOWN, kind, text)
        return AliveResult(UNSUPPORTED, kind, text)
    if "Could not" in text or "error:" in text:
        return AliveResult(UNSUPPORTED, text.strip().splitlines()[-1], text)
    return AliveResult(CRASHED, "no verdict in alive-tv's output", text)


def check_text(module_text: str, exe: str, smt_timeout_ms: int = int(SOLVER_SECONDS * 1000),
               flags: tuple[str, ...] = (), wall_seconds: float = 6 * SOLVER_SECONDS,
               memory_mb: int = SOLVER_MEMORY_MB) -> AliveResult:
    """Run alive-tv on one module holding @src and @tgt, in a child process
    with a wall-clock and a memory limit."""
    with tempfile.TemporaryDirectory(prefix="veriopt-alive-") as tmp:
        path = Path(tmp) / "pair.ll"
        path.write_text(module_text)
        cmd = [exe, f"-smt-to={smt_timeout_ms}", *flags, str(path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=wall_seconds,
                                  preexec_fn=_limit_memory(memory_mb), cwd=tmp)
        except subprocess.TimeoutExpired:
            return AliveResult(UNKNOWN, "wall-clock limit")
    result = parse_output(proc.stdout + proc.stderr)
    if result.status == CRASHED and proc.returncode < 0:
        result.error = f"alive-tv died with signal {-proc.returncode}"
    return result


def _limit_memory(memory_mb: int):
    def apply() -> None:
        import resource
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply
