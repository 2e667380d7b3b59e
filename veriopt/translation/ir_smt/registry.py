"""The one registry of per-opcode semantics.

An entry maps an opcode (or an intrinsic's base name, such as `llvm.umin`)
to a builder `fn(ctx, instr) -> SVal | None`. Builders fetch their operands
through `ctx.op(i)` (which instantiates undef afresh for each use), report
immediate UB through `ctx.add_ub(cond)`, and return the result's value.
Adding an instruction is adding one entry and its tests.
"""
from __future__ import annotations

import re
from typing import Callable

OPCODES: dict[str, Callable] = {}
INTRINSICS: dict[str, Callable] = {}


def _registrar(table: dict[str, Callable]) -> Callable:
    """A decorator factory: `@register("a", "b")` enters a builder in `table`
    under each name."""
    def register(*names: str) -> Callable[[Callable], Callable]:
        def deco(fn: Callable) -> Callable:
            for name in names:
                table[name] = fn
            return fn
        return deco
    return register


opcode = _registrar(OPCODES)         # @opcode("add", "sub"): an instruction's builder
intrinsic = _registrar(INTRINSICS)   # @intrinsic("llvm.umin"): an intrinsic's builder


# Type manglings LLVM appends to overloaded intrinsics: .i8, .v4i16, .nxv2i32, .p0, .f32
_MANGLING = re.compile(r"(i\d+|v\d+i\d+|nxv\d+i\d+|p\d+|v\d+p\d+|f\d+|v\d+f\d+|bf16)")


# Families whose every name starts with a prefix of their own are imported
# the first time a callee with that prefix is looked up: a run that meets
# none of them does not pay for them at start-up.
DEFERRED = {"llvm.x86.": "veriopt.translation.ir_smt.x86_intrinsics"}


def lookup_intrinsic(callee: str) -> Callable | None:
    """`llvm.umin.v2i8` -> the entry `llvm.umin`. Only type manglings are
    stripped, so a different intrinsic that merely starts with a known name
    (`llvm.vector.splice.right`) is never mistaken for it."""
    for prefix, module in DEFERRED.items():
        if callee.startswith(prefix):
            import importlib
            importlib.import_module(module)
    parts = callee.split(".")
    while parts:
        fn = INTRINSICS.get(".".join(parts))
        if fn is not None:
            return fn
        if not _MANGLING.fullmatch(parts[-1]):
            return None
        parts.pop()
    return None
