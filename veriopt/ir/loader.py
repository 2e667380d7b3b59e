"""Load LLVM IR from text or a file: LLVM 22 (through llvmlite) parses and
verifies it, and its canonical re-printing is what `parser.py` reads.

Every failure becomes a `BadInput` naming the file, line and LLVM's own
message, so the command line can print one line and exit 2.
"""
from __future__ import annotations

import re
from pathlib import Path

from veriopt.errors import BadInput, Unsupported
from veriopt.ir.model import Function, Module
from veriopt.ir.parser import parse_module_text

_LLVM_READY = False


def _llvm():
    global _LLVM_READY
    import llvmlite.binding as llvm
    if not _LLVM_READY:
        # llvmlite >= 0.44 initialises targets lazily; only the native target
        # and its printer are needed (for the JIT).
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        _LLVM_READY = True
    return llvm


_LOC = re.compile(r"<string>:(\d+):(\d+): (?:error: )?(.*)")


def canonicalize(text: str, file: str | None = None) -> str:
    """LLVM's own printing of the module in `text` (parsed and verified)."""
    if not text.strip():
        raise BadInput("empty file: no LLVM IR to read", file)
    llvm = _llvm()
    try:
        mod = llvm.parse_assembly(text)
    except RuntimeError as exc:
        raise _bad_input(str(exc), file) from None
    try:
        mod.verify()
    except RuntimeError as exc:
        raise _bad_input(str(exc), file) from None
    return str(mod)


def _bad_input(message: str, file: str | None) -> BadInput:
    for line in message.splitlines():
        m = _LOC.search(line)
        if m:
            return BadInput(m.group(3).strip(), file, int(m.group(1)), int(m.group(2)))
    lines = [s.strip() for s in message.splitlines() if s.strip()]
    detail = "; ".join(s for s in lines if "parsing error" not in s) or message.strip()
    return BadInput(f"invalid LLVM IR: {detail}", file)


def load_text(text: str, file: str | None = None) -> Module:
    canonical = canonicalize(text, file)
    try:
        module = parse_module_text(canonical)
    except (SyntaxError, ValueError, AssertionError, IndexError, AttributeError) as exc:
        # LLVM accepted the module but our reader of its printing did not:
        # a construct we do not model, not the user's mistake.
        raise Unsupported(f"IR construct not understood ({exc})") from None
    module.source_file = file
    return module


def load_file(path: str | Path) -> Module:
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise BadInput("no such file", str(path)) from None
    except IsADirectoryError:
        raise BadInput("is a directory, expected an .ll file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read file: {exc}", str(path)) from None
    return load_text(text, str(path))


def function_text(fn: Function) -> str:
    """The function's definition as LLVM printed it (its lines of the
    module text), for echoing the pair a verdict is about."""
    lines = fn.module_text.splitlines()
    for start, line in enumerate(lines):
        if line.startswith("define") and f"@{fn.name}(" in line:
            end = next((k for k in range(start, len(lines)) if lines[k] == "}"), len(lines) - 1)
            return "\n".join(lines[start:end + 1])
    return f"@{fn.name}"
