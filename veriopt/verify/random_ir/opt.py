"""Targets made by LLVM: the source run through `opt-22` (instcombine or
-O3), and its printing cut back to the one function and what it needs.
"""
from __future__ import annotations

import re
import shutil
import subprocess

from veriopt.limits import COMPILE_SECONDS
from veriopt.verify.random_ir.model import GeneratorError

_OPT: list[str | None] = []


def find_opt() -> str | None:
    if not _OPT:
        _OPT.append(shutil.which("opt-22") or shutil.which("opt"))
    return _OPT[0]


def run_opt(text: str, passes: str, opt: str | None = None,
            timeout: float = COMPILE_SECONDS) -> str:
    """`opt -S` with the given pipeline (`instcombine`, `O3`, `verify`)."""
    exe = opt or find_opt()
    if exe is None:
        raise GeneratorError("opt-22 not found")
    flag = f"-passes={passes}" if not passes.startswith("O") else f"-{passes}"
    try:
        proc = subprocess.run([exe, flag, "-S", "-"], input=text, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GeneratorError(f"opt {flag} took more than {timeout:.0f}s") from None
    if proc.returncode != 0:
        raise GeneratorError(f"opt {flag} failed: {proc.stderr.strip()[:500]}")
    return proc.stdout


def verify_with_opt(text: str, opt: str | None = None) -> str | None:
    """LLVM's verifier on a module: None if valid, else its message."""
    exe = opt or find_opt()
    if exe is None:
        return None
    proc = subprocess.run([exe, "-passes=verify", "-disable-output", "-"], input=text,
                          capture_output=True, text=True, timeout=COMPILE_SECONDS)
    return None if proc.returncode == 0 else (proc.stderr.strip() or "rejected")


def split_opt_output(text: str, fn: str = "src") -> tuple[str, str]:
    """(the definition of @fn, the rest that matters: declarations and
    attribute groups), from opt's printing of a module."""
    m = re.search(rf"^define [^\n]*@{fn}\(.*?^\}}\n", text, re.M | re.S)
    if not m:
        raise GeneratorError(f"no @{fn} in opt's output")
    rest = [ln for ln in text[m.end():].splitlines() + text[:m.start()].splitlines()
            if ln.startswith(("declare ", "attributes "))]
    return m.group(0), "\n".join(rest)


def body_lines(fn_text: str) -> list[str]:
    lines = [ln.strip() for ln in fn_text.splitlines()[1:]]
    return [ln for ln in lines if ln and ln != "}" and not ln.startswith(";")
            and not re.fullmatch(r"[\w.]+:", ln)]
