"""C to LLVM IR with clang-22: the -O3 baseline every C input is measured
and optimized against.

One implementation for the optimizer (its C inputs and the C gate's cost)
and the bench (its C kernels), so both compare against the very same IR.
It lives on the bench floor because both the agents and the commands may
import from here; the C front end (translation) parses C for the
verifier, it does not compile it.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from veriopt.errors import BadInput, MissingTool
from veriopt.limits import COMPILE_SECONDS
from veriopt.tools import CLANG


def clang() -> str:
    """The clang-22 executable; MissingTool (with how to install it) without it."""
    path = shutil.which(CLANG)
    if path is None:
        raise MissingTool(CLANG, "it lowers C to LLVM IR",
                          "apt-get install clang-22 (or `make install`)")
    return path


def lower_c(text: str, opt: str = "-O3", name: str = "input.c",
            timeout: float = COMPILE_SECONDS) -> str:
    """clang-22's IR for a C text (in a subprocess with a time limit). The
    file is compiled by its bare name, so the IR (whose ModuleID and
    source_filename name it) is the same on every run: the run id and the
    verdict cache depend on it. BadInput when clang rejects the code."""
    exe = clang()
    with tempfile.TemporaryDirectory(prefix="veriopt-c-") as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        try:
            proc = subprocess.run([exe, opt, "-S", "-emit-llvm", "-fno-discard-value-names",
                                   "-o", "-", path.name], capture_output=True, text=True,
                                  timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise BadInput(f"clang did not finish within {timeout:g} s", name) from None
    if proc.returncode != 0:
        first = next((ln for ln in proc.stderr.splitlines() if "error" in ln), proc.stderr)
        raise BadInput(f"clang could not compile it: {first.strip()}", name)
    return proc.stdout


def clang_remarks(text: str, name: str = "input.c", timeout: float = COMPILE_SECONDS
                  ) -> list[str]:
    """clang-22 -O3's missed-optimization remarks on a C text (feedback for
    the agents), with the temporary path replaced by the bare name."""
    with tempfile.TemporaryDirectory(prefix="veriopt-c-") as tmp:
        src = Path(tmp) / name
        src.write_text(text)
        proc = subprocess.run([clang(), "-O3", "-Rpass-missed=.*", "-S", "-o", "/dev/null",
                               str(src)], capture_output=True, text=True, timeout=timeout)
    return [ln.strip() for ln in proc.stderr.replace(str(src), name).splitlines()
            if "remark" in ln]
