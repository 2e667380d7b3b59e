"""Values of the C semantics: integers and pointers as z3 terms, conversions,
comparisons and the literals' values and types (LP64, gcc's choices where
the standard leaves them to the implementation)."""
from __future__ import annotations

from dataclasses import dataclass

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_types import CType, IntT, PtrT


ADDR = 64


@dataclass
class IntV:
    t: IntT
    v: z3.BitVecRef


@dataclass
class PtrV:
    t: PtrT
    addr: z3.BitVecRef
    lo: z3.BitVecRef
    hi: z3.BitVecRef


Value = IntV | PtrV


@dataclass
class Var:
    t: CType
    value: Value | None
    init: z3.BoolRef


def bv(value: int, bits: int) -> z3.BitVecRef:
    return z3.BitVecVal(value, bits)


def cast_bits(v: z3.BitVecRef, src: IntT, dst: IntT) -> z3.BitVecRef:
    if dst.is_bool:
        return z3.If(v != 0, bv(1, 8), bv(0, 8))
    if dst.bits == src.bits:
        return v
    if dst.bits < src.bits:
        return z3.Extract(dst.bits - 1, 0, v)
    ext = z3.SignExt if src.signed else z3.ZeroExt
    return ext(dst.bits - src.bits, v)


def convert(val: IntV, dst: IntT) -> IntV:
    """Integer conversion (C11 6.3.1.3); narrowing to a signed type wraps as gcc does."""
    return IntV(dst, z3.simplify(cast_bits(val.v, val.t, dst)))


def sext1(v: z3.BitVecRef) -> z3.BitVecRef:
    return z3.SignExt(1, v)


def compare(op: str, a: z3.BitVecRef, b: z3.BitVecRef, signed: bool) -> IntV:
    if op == "==":
        res = a == b
    elif op == "!=":
        res = a != b
    elif signed:
        res = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    else:
        res = {"<": z3.ULT(a, b), "<=": z3.ULE(a, b), ">": z3.UGT(a, b), ">=": z3.UGE(a, b)}[op]
    return IntV(T.INT, z3.simplify(z3.If(res, bv(1, 32), bv(0, 32))))


_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7, "b": 8,
            "f": 12, "v": 11}


def char_value(text: str, node: c_ast.Node) -> int:
    body = text[1:-1]
    if len(body) == 1:
        code = ord(body)
    elif body.startswith("\\x"):
        code = int(body[2:], 16)
    elif body.startswith("\\") and body[1:].isdigit():
        code = int(body[1:], 8)
    elif body.startswith("\\") and body[1:] in _ESCAPES:
        code = _ESCAPES[body[1:]]
    else:
        raise Unsupported(f"character constant {text}", node)
    return code - 256 if code >= 128 else code  # char is signed on x86-64


def int_literal(text: str, node: c_ast.Node) -> IntV:
    """An integer literal and its type, per C11 6.4.4.1's table."""
    body = text.lower()
    suffix = ""
    while body and body[-1] in "ul":
        suffix = body[-1] + suffix
        body = body[:-1]
    if body.startswith("0x"):
        value, decimal = int(body[2:], 16), False
    elif body.startswith("0b"):
        value, decimal = int(body[2:], 2), False
    elif body.startswith("0") and len(body) > 1:
        value, decimal = int(body, 8), False
    else:
        value, decimal = int(body), True
    unsigned = "u" in suffix
    longs = suffix.count("l")
    if longs == 0:
        cands = [T.INT, T.LONG, T.LLONG] if decimal else [T.INT, T.UINT, T.LONG, T.ULONG,
                                                          T.LLONG, T.ULLONG]
    elif longs == 1:
        cands = [T.LONG, T.LLONG] if decimal else [T.LONG, T.ULONG, T.LLONG, T.ULLONG]
    else:
        cands = [T.LLONG] if decimal else [T.LLONG, T.ULLONG]
    if unsigned:
        cands = [T.UINT, T.ULONG, T.ULLONG][[T.UINT, T.ULONG, T.ULLONG].index(
            {0: T.UINT, 1: T.ULONG, 2: T.ULLONG}[longs]):]
    for t in cands:
        if t.min() <= value <= t.max():
            return IntV(t, bv(value, t.bits))
    raise Unsupported(f"integer constant {text} too large", node)

