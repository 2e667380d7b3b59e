"""The compiler builtins and libc functions a C function may call: each one's
value and its undefined behaviour (clz/ctz of zero, abs of the minimum...)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_types import IntT
from veriopt.translation.c_values import IntV, bv, convert

if TYPE_CHECKING:
    from veriopt.translation.c_smt import Executor


def _arg_int(ex: Executor, args: list, i: int, t: IntT, node: c_ast.Node) -> z3.BitVecRef:
    if len(args) <= i:
        raise Unsupported(f"too few arguments to '{node.name.name}'", node)
    return convert(ex.int_value(args[i], node), t).v


def _popcount(v: z3.BitVecRef, bits: int) -> z3.BitVecRef:
    total = bv(0, 32)
    for i in range(bits):
        total = total + z3.ZeroExt(31, z3.Extract(i, i, v))
    return total


def _clz(v: z3.BitVecRef, bits: int) -> z3.BitVecRef:
    res = bv(bits, 32)
    for i in range(bits):
        res = z3.If(z3.Extract(i, i, v) == 1, bv(bits - 1 - i, 32), res)
    return res


def _ctz(v: z3.BitVecRef, bits: int) -> z3.BitVecRef:
    res = bv(bits, 32)
    for i in reversed(range(bits)):
        res = z3.If(z3.Extract(i, i, v) == 1, bv(i, 32), res)
    return res


def _bit_builtin(kind: str, t: IntT):
    def run(ex: Executor, args: list, node: c_ast.Node) -> IntV:
        v = _arg_int(ex, args, 0, t, node)
        if kind == "popcount":
            return IntV(T.INT, z3.simplify(_popcount(v, t.bits)))
        ex.ub(v == 0, f"__builtin_{kind} of zero", node)
        fn = _clz if kind == "clz" else _ctz
        return IntV(T.INT, z3.simplify(fn(v, t.bits)))
    return run


def _bswap(t: IntT):
    def run(ex: Executor, args: list, node: c_ast.Node) -> IntV:
        v = _arg_int(ex, args, 0, t, node)
        parts = [z3.Extract(8 * i + 7, 8 * i, v) for i in range(t.size)]
        return IntV(t, z3.simplify(z3.Concat(parts)))
    return run


def _abs(t: IntT):
    def run(ex: Executor, args: list, node: c_ast.Node) -> IntV:
        v = _arg_int(ex, args, 0, t, node)
        ex.ub(v == bv(t.min(), t.bits), f"{node.name.name} of the most negative value", node)
        return IntV(t, z3.simplify(z3.If(v < 0, -v, v)))
    return run


def _expect(ex: Executor, args: list, node: c_ast.Node) -> IntV:
    v = _arg_int(ex, args, 0, T.LONG, node)
    return IntV(T.LONG, v)


def _unreachable(ex: Executor, args: list, node: c_ast.Node) -> None:
    ex.ub(z3.BoolVal(True), "__builtin_unreachable reached", node)
    ex.frame.ret = z3.simplify(z3.Or(ex.frame.ret, ex.alive()))
    return None


BUILTINS = {
    "__builtin_popcount": _bit_builtin("popcount", T.UINT),
    "__builtin_popcountl": _bit_builtin("popcount", T.ULONG),
    "__builtin_popcountll": _bit_builtin("popcount", T.ULLONG),
    "__builtin_clz": _bit_builtin("clz", T.UINT),
    "__builtin_clzl": _bit_builtin("clz", T.ULONG),
    "__builtin_clzll": _bit_builtin("clz", T.ULLONG),
    "__builtin_ctz": _bit_builtin("ctz", T.UINT),
    "__builtin_ctzl": _bit_builtin("ctz", T.ULONG),
    "__builtin_ctzll": _bit_builtin("ctz", T.ULLONG),
    "__builtin_bswap16": _bswap(T.USHORT),
    "__builtin_bswap32": _bswap(T.UINT),
    "__builtin_bswap64": _bswap(T.ULONG),
    "__builtin_expect": _expect,
    "__builtin_unreachable": _unreachable,
    "abs": _abs(T.INT),
    "labs": _abs(T.LONG),
    "llabs": _abs(T.LLONG),
}

