"""The one registry of per-opcode semantics.

An entry maps an opcode (or an intrinsic's base name, such as `llvm.umin`)
to a builder `fn(ctx, instr) -> SVal | None`. Builders fetch their operands
through `ctx.op(i)` (which instantiates undef afresh for each use), report
immediate UB through `ctx.add_ub(cond)`, and return the result's value.
Adding an instruction is adding one entry and its tests.
"""
from __future__ import annotations

import importlib
import re
import sys
from typing import Callable

from veriopt.ir.types import ArrayType, FloatType, StructType, VectorType

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
DEFERRED = {"llvm.": "veriopt.translation.ir_smt.intrinsics",
            "llvm.x86.": "veriopt.translation.ir_smt.x86_intrinsics"}
# Likewise the aggregate and vector instructions, on the first lookup of one.
DEFERRED_OPCODES = {name: "veriopt.translation.ir_smt.aggregate_ops"
                    for name in ("extractelement", "insertelement", "shufflevector",
                                 "extractvalue", "insertvalue")}


def lookup_opcode(name: str) -> Callable | None:
    """The builder of instruction `name` (None: not modelled)."""
    if name not in OPCODES and name in DEFERRED_OPCODES:
        importlib.import_module(DEFERRED_OPCODES[name])
    return OPCODES.get(name)


FLOAT_FAMILY = ("veriopt.translation.ir_smt.fp_ops", "veriopt.translation.ir_smt.fp_intrinsics",
                "veriopt.translation.ir_smt.fp_constrained")


def prepare_for(fn) -> None:
    """Register the floating-point builders before a function with a
    floating-point value anywhere is encoded (their `select` then replaces
    the integer one, for fast-math flags): a function without one does not
    pay for importing them."""
    if FLOAT_FAMILY[0] in sys.modules:
        return
    values = [v for instr in fn.instructions() for v in instr.operands]
    types = [p.type for p in fn.params] + [fn.ret_type] + [i.type for i in fn.instructions()]
    while values:   # operands, and the operands of constant expressions
        value = values.pop()
        types.append(value.type)
        values += getattr(value, "operands", ())
    if any(_has_float(t) for t in types):
        for module in FLOAT_FAMILY:
            importlib.import_module(module)


def _has_float(ty) -> bool:
    if isinstance(ty, FloatType):
        return True
    parts = ty.fields if isinstance(ty, StructType) else \
        [ty.elem] if isinstance(ty, (VectorType, ArrayType)) else []
    return any(_has_float(p) for p in parts)


def lookup_intrinsic(callee: str) -> Callable | None:
    """`llvm.umin.v2i8` -> the entry `llvm.umin`. Only type manglings are
    stripped, so a different intrinsic that merely starts with a known name
    (`llvm.vector.splice.right`) is never mistaken for it."""
    for prefix, module in DEFERRED.items():
        if callee.startswith(prefix):
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
