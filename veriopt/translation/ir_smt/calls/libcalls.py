"""C library functions whose meaning LLVM (TargetLibraryInfo) and Alive2
know, modelled by what they compute rather than as unknown functions: a
call to `@ffs` may become `cttz` and `@fabsf` may become `llvm.fabs`. Only
when the declaration has the standard signature and the call is not
`nobuiltin`; anything else stays an unknown function."""
from __future__ import annotations

from collections.abc import Callable

import z3

from veriopt.ir.model import Function, Instr
from veriopt.ir.types import FloatType, IntType
from veriopt.translation.ir_smt.values import Lane, SVal


def _ffs(ctx, instr: Instr) -> SVal:
    """Index (from 1) of the least significant set bit; 0 for 0."""
    x = ctx.op(0)
    w = x.v.size()
    index = z3.BitVecVal(0, w)
    for i in reversed(range(w)):
        index = z3.If(z3.Extract(i, i, x.v) == 1, z3.BitVecVal(i + 1, w), index)
    out = instr.type.width
    index = z3.Extract(out - 1, 0, index) if out < w else z3.ZeroExt(out - w, index)
    return Lane(index, x.p)


def _fabs(ctx, instr: Instr) -> SVal:
    """The value with its sign bit cleared (C: fabs never sets errno)."""
    x = ctx.op(0)
    w = x.v.size()
    return Lane(x.v & z3.BitVecVal((1 << (w - 1)) - 1, w), x.p)


def _int(width: int) -> Callable:
    return lambda t: isinstance(t, IntType) and t.width == width


def _float(name: str) -> Callable:
    return lambda t: isinstance(t, FloatType) and t.name == name


# name -> (result type test, argument type tests, builder)
KNOWN: dict[str, tuple[Callable, list[Callable], Callable]] = {
    "ffs": (_int(32), [_int(32)], _ffs),
    "ffsl": (_int(32), [_int(64)], _ffs),
    "ffsll": (_int(32), [_int(64)], _ffs),
    "fabs": (_float("double"), [_float("double")], _fabs),
    "fabsf": (_float("float"), [_float("float")], _fabs),
}


def known_builder(callee: Function, instr: Instr) -> Callable | None:
    """The builder of a library call LLVM knows, if this is one."""
    entry = KNOWN.get(callee.name)
    if entry is None or "nobuiltin" in callee.fn_attrs + instr.extra.get("fn_attrs", []):
        return None
    ret_ok, arg_oks, builder = entry
    if not ret_ok(callee.ret_type) or len(callee.params) != len(arg_oks) or \
            not all(ok(p.type) for ok, p in zip(arg_oks, callee.params)):
        return None
    return builder
