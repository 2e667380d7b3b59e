"""The one registry of per-opcode semantics.

An entry maps an opcode (or an intrinsic's base name, such as `llvm.umin`)
to a builder `fn(ctx, instr) -> SVal | None`. Builders fetch their operands
through `ctx.op(i)` (which instantiates undef afresh for each use), report
immediate UB through `ctx.add_ub(cond)`, and return the result's value.
Adding an instruction is adding one entry and its tests.
"""
from __future__ import annotations

from typing import Callable

OPCODES: dict[str, Callable] = {}
INTRINSICS: dict[str, Callable] = {}


def opcode(*names: str):
    def deco(fn: Callable) -> Callable:
        for name in names:
            OPCODES[name] = fn
        return fn
    return deco


def intrinsic(*names: str):
    def deco(fn: Callable) -> Callable:
        for name in names:
            INTRINSICS[name] = fn
        return fn
    return deco


def lookup_intrinsic(callee: str) -> Callable | None:
    """Match `llvm.umin.v2i8` to the entry `llvm.umin` (longest prefix)."""
    parts = callee.split(".")
    for k in range(len(parts), 1, -1):
        fn = INTRINSICS.get(".".join(parts[:k]))
        if fn is not None:
            return fn
    return None
