"""C front end: preprocess, parse with pycparser, index the functions.

Only what the C semantics (`c_smt`) needs: a file's function definitions by
name and its typedef-free AST. Errors the user must fix become `BadInput`
with `file:line:col`, never a traceback.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pycparser import c_ast, c_parser

from veriopt.errors import BadInput, MissingTool
from veriopt.limits import (COMPILE_SECONDS, TOOL_MEMORY_MB, LimitExceeded, effective_memory_mb,
                            ran_out_of_memory, run_tool)
from veriopt.tools import CLANG
from veriopt.translation.c_headers import header_dir
from veriopt.translation.c_nesting import (MAX_AST_DEPTH, PARSE_RECURSION_LIMIT,
                                           deepest_brackets, deepest_node)

# Spellings of GNU extensions that pycparser does not parse but that are
# harmless for the semantics we model.
_GNU_DEFINES = [
    "-D__attribute__(x)=", "-D__extension__=", "-D__restrict=restrict",
    "-D__restrict__=restrict", "-D__inline=inline", "-D__inline__=inline",
    "-D__asm__(x)=", "-D__const=const", "-D__signed__=signed",
]


# For the parser (not for clang's check), inline assembly becomes a call of
# a function no file defines, so the semantics answer `unsupported: call to
# '__inline_assembly'` and the fuzzer's call check sees it: erased, an
# `__asm__("movl $5, %0" : "=r"(x))` would be proved a no-op.
_ASM_AS_CALL = ["-U__asm__", "-D__asm__(...)=__inline_assembly()",
                "-D__asm(...)=__inline_assembly()"]


@dataclass
class CProgram:
    """One parsed C file: its AST and its function definitions by name."""

    path: str
    ast: c_ast.FileAST
    functions: dict[str, c_ast.FuncDef] = field(default_factory=dict)

    def function(self, name: str) -> c_ast.FuncDef:
        """The definition of `name`, or BadInput naming what is there."""
        if name not in self.functions:
            known = ", ".join(sorted(self.functions)) or "none"
            raise BadInput(f"no function '{name}' defined (functions: {known})", self.path)
        return self.functions[name]


def _preprocessor() -> list[str] | None:
    for tool in ("cpp", "gcc", "clang-22", "clang", "cc"):
        exe = shutil.which(tool)
        if exe:
            return [exe] if tool == "cpp" else [exe, "-E"]
    return None


def preprocess(path: str, text: str | None = None) -> str:
    """Run the system preprocessor against veriopt's own libc headers.

    `-nostdinc -undef` keeps glibc (and its extensions) out; line markers
    are kept so pycparser's coordinates name the user's file and line.
    """
    source = text if text is not None else _read(path)
    tool = _preprocessor()
    if tool is None:
        raise BadInput("no C preprocessor found (need cpp, gcc or clang)", path)
    here = Path(path).resolve().parent
    cmd = tool + ["-nostdinc", "-undef", "-std=c11", "-I", str(header_dir()), "-I", str(here),
                  *_GNU_DEFINES, *_ASM_AS_CALL, "-x", "c", "-"]
    proc = _run(cmd, source, here, "the preprocessor")
    if proc.returncode != 0:
        raise _preprocessor_error(path, proc.stderr)
    return proc.stdout.replace('"<stdin>"', '"' + path + '"')


def _run(cmd: list[str], text: str, here: Path, what: str) -> subprocess.CompletedProcess:
    """Run the preprocessor or clang on `text` within COMPILE_SECONDS and
    TOOL_MEMORY_MB (`#include "/dev/zero"` must not take the machine);
    reaching either is LimitExceeded (`unknown`), not a verdict."""
    try:
        proc = run_tool(cmd, COMPILE_SECONDS, TOOL_MEMORY_MB, input=text, text=True,
                        errors="replace", cwd=str(here) if here.is_dir() else None)
    except subprocess.TimeoutExpired:
        raise LimitExceeded(f"time limit: {what} ran more than {COMPILE_SECONDS:g} s") from None
    if proc.returncode != 0 and ran_out_of_memory(proc.returncode, proc.stderr):
        raise LimitExceeded(f"memory limit: {what} needed more than {effective_memory_mb()} MB")
    return proc


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise BadInput(f"cannot read file: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise BadInput("file is not UTF-8 text", path) from None


def _preprocessor_error(path: str, stderr: str) -> BadInput:
    for line in stderr.splitlines():
        match = re.match(r"^(?:<stdin>|.*?):(\d+):(?:(\d+):)?\s*(?:fatal )?error:\s*(.*)$", line)
        if match:
            col = int(match.group(2)) if match.group(2) else None
            return BadInput(match.group(3), path, int(match.group(1)), col)
    first = stderr.strip().splitlines()[0] if stderr.strip() else "preprocessing failed"
    return BadInput(first, path)


def parse_text(text: str, path: str) -> c_ast.FileAST:
    """Parse preprocessed text; a syntax error becomes BadInput(file:line:col),
    and so does nesting deeper than the parser or the semantics handle."""
    parser = c_parser.CParser()
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, PARSE_RECURSION_LIMIT))
    try:
        ast = parser.parse(text, path)
    except c_parser.ParseError as exc:
        raise _parse_error(parser, str(exc), path) from None
    except RecursionError:
        depth, line = deepest_brackets(text)
        raise BadInput(f"nesting too deep for the C parser ({depth} levels of brackets)",
                       path, _user_line(text, line)) from None
    finally:
        sys.setrecursionlimit(previous)
    depth, line = deepest_node(ast)
    if depth > MAX_AST_DEPTH:
        raise BadInput(f"nesting too deep: {depth} levels of expressions and statements "
                       f"(veriopt handles up to {MAX_AST_DEPTH})", path, line)
    return ast


def _user_line(text: str, line: int) -> int | None:
    """The user's line number for a line of preprocessed text (the nearest
    line marker before it says where that text came from)."""
    lines = text.splitlines()[:line]
    for back, marker in enumerate(reversed(lines)):
        match = re.match(r'^#\s*(?:line\s+)?(\d+)', marker)
        if match:
            return int(match.group(1)) + back - 1
    return line


def _parse_error(parser: c_parser.CParser, message: str, path: str) -> BadInput:
    match = re.match(r"^(.*?):(\d+):(\d+): (.*)$", message)
    if match:
        return BadInput(_describe(match.group(4)), match.group(1) or path,
                        int(match.group(2)), int(match.group(3)))
    match = re.match(r"^(.*?):(\d+): (.*)$", message)
    if match:
        return BadInput(_describe(match.group(3)), match.group(1) or path, int(match.group(2)))
    detail = message.split(": ", 1)[-1]
    token = _current_token(parser)
    if token is not None:
        return BadInput(_describe(detail), token.filename or path, token.lineno, token.column)
    return BadInput(_describe(detail), path)


def _current_token(parser: c_parser.CParser):
    """The token the parser stopped at (pycparser omits it from some errors)."""
    try:
        return parser._peek()  # noqa: SLF001 - only for a better error position
    except Exception:  # noqa: BLE001 - best effort, the message stands without it
        return None


def _describe(detail: str) -> str:
    detail = detail.strip()
    if detail.startswith("before:"):
        return f"syntax error {detail}"
    return f"syntax error: {detail}" if "syntax" not in detail.lower() else detail


def check_syntax(path: str, text: str) -> None:
    """clang-22 must accept the file (`-fsyntax-only`, the flags and headers
    the preprocessor uses): pycparser parses much that is not C (a negative
    array size, a type error), and a verdict on a program the compiler
    rejects would be about nothing. BadInput(file:line:col) with clang's
    first error; MissingTool without clang-22."""
    exe = shutil.which(CLANG)
    if exe is None:
        raise MissingTool(CLANG, "it checks that C inputs are valid C",
                          "apt-get install clang-22 (or `make install`)")
    here = Path(path).resolve().parent
    cmd = [exe, "-fsyntax-only", "-nostdinc", "-undef", "-std=c11", "-I", str(header_dir()),
           "-I", str(here), *_GNU_DEFINES, "-x", "c", "-"]
    proc = _run(cmd, text, here, CLANG)
    if proc.returncode < 0:   # a crash, in practice a stack overflow on deep nesting
        depth, line = deepest_brackets(text)
        name = signal.Signals(-proc.returncode).name
        if depth >= 100:
            raise BadInput(f"{CLANG} crashed ({name}) on this file, most likely on nesting too "
                           f"deep ({depth} levels of brackets here)", path, line)
        raise BadInput(f"{CLANG} crashed ({name}) on this file, most likely on an expression "
                       "nested too deeply (a long chain of operators)", path)
    if proc.returncode != 0:
        raise _preprocessor_error(path, proc.stderr)


def load(path: str, text: str | None = None) -> CProgram:
    """Check with clang, preprocess and parse a C file, and index its
    function definitions."""
    source = text if text is not None else _read(path)
    check_syntax(path, source)
    ast = parse_text(preprocess(path, source), path)
    program = CProgram(path=path, ast=ast)
    for node in ast.ext:
        if isinstance(node, c_ast.FuncDef):
            name = node.decl.name
            if name in program.functions:
                line = node.coord.line if node.coord else None
                raise BadInput(f"function '{name}' defined twice", path, line)
            program.functions[name] = node
    return program


class _Calls(c_ast.NodeVisitor):
    """Names a body calls, and names it mentions (a function's name taken
    as a value, `int (*p)(void) = fork;`, is a call waiting to happen)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.mentioned: set[str] = set()

    def visit_FuncCall(self, node: c_ast.FuncCall) -> None:
        if isinstance(node.name, c_ast.ID):
            self.names.add(node.name.name)
        self.generic_visit(node)

    def visit_ID(self, node: c_ast.ID) -> None:
        self.mentioned.add(node.name)


def _declared_functions(program: CProgram) -> set[str]:
    """Functions the file declares (prototypes included)."""
    return {node.name for node in program.ast.ext
            if isinstance(node, c_ast.Decl) and isinstance(node.type, c_ast.FuncDecl)}


def external_calls(program: CProgram, name: str) -> set[str]:
    """Functions `name` calls, directly or through the file's own functions,
    that the file does not define (libc, builtins).

    Used to keep a candidate from calling anything its original does not:
    candidate code is run, so it must not reach `system` or `fopen`.
    """
    seen: set[str] = set()
    external: set[str] = set()
    declared = _declared_functions(program)
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        visitor = _Calls()
        visitor.visit(program.function(current).body)
        taken = {n for n in visitor.mentioned if n in declared or n in program.functions}
        for callee in visitor.names | taken:
            if callee in program.functions:
                todo.append(callee)
            else:
                external.add(callee)
    return external
