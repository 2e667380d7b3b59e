"""Integer instructions: arithmetic, bitwise, shifts, comparisons, casts,
select and freeze — LangRef's semantics as Alive2 reads it.

Each lane's poison is the OR of its operands' poison and the instruction's
own poison conditions (flags, out-of-range shift amounts). Division UB is
immediate and goes to `ctx.add_ub`.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.types import VectorType
from veriopt.translation.ir_smt.registry import opcode
from veriopt.translation.ir_smt.values import (
    Lane, SVal, bool_to_bv, flatten_bits, lanes, map_lanes, width_of, zip_lanes,
)

F = z3.BoolVal(False)


def _sext(v: z3.BitVecRef, extra: int) -> z3.BitVecRef:
    return z3.SignExt(extra, v)


def _zext(v: z3.BitVecRef, extra: int) -> z3.BitVecRef:
    return z3.ZeroExt(extra, v)


# ---- value and flag-poison of each binary operator --------------------------
# each returns (value, extra poison) for lane bit-vectors a, b

def _add(a, b, flags):
    r = a + b
    p = F
    if "nsw" in flags:
        p = z3.Or(p, _sext(a, 1) + _sext(b, 1) != _sext(r, 1))
    if "nuw" in flags:
        p = z3.Or(p, _zext(a, 1) + _zext(b, 1) != _zext(r, 1))
    return r, p


def _sub(a, b, flags):
    r = a - b
    p = F
    if "nsw" in flags:
        p = z3.Or(p, _sext(a, 1) - _sext(b, 1) != _sext(r, 1))
    if "nuw" in flags:
        p = z3.Or(p, z3.ULT(a, b))
    return r, p


def _mul(a, b, flags):
    w = a.size()
    r = a * b
    p = F
    if "nsw" in flags:
        p = z3.Or(p, _sext(a, w) * _sext(b, w) != _sext(r, w))
    if "nuw" in flags:
        p = z3.Or(p, _zext(a, w) * _zext(b, w) != _zext(r, w))
    return r, p


def _shift_amount_poison(b):
    return z3.UGE(b, z3.BitVecVal(b.size(), b.size()))


def _shl(a, b, flags):
    r = a << b
    p = _shift_amount_poison(b)
    if "nuw" in flags:
        p = z3.Or(p, z3.LShR(r, b) != a)
    if "nsw" in flags:
        p = z3.Or(p, (r >> b) != a)
    return r, p


def _lshr(a, b, flags):
    r = z3.LShR(a, b)
    p = _shift_amount_poison(b)
    if "exact" in flags:
        p = z3.Or(p, (r << b) != a)
    return r, p


def _ashr(a, b, flags):
    r = a >> b
    p = _shift_amount_poison(b)
    if "exact" in flags:
        p = z3.Or(p, (r << b) != a)
    return r, p


def _and(a, b, flags):
    return a & b, F


def _or(a, b, flags):
    p = (a & b) != 0 if "disjoint" in flags else F
    return a | b, p


def _xor(a, b, flags):
    return a ^ b, F


SIMPLE_BINOPS = {"add": _add, "sub": _sub, "mul": _mul, "shl": _shl, "lshr": _lshr,
                 "ashr": _ashr, "and": _and, "or": _or, "xor": _xor}


def _binop(ctx, instr):
    fn = SIMPLE_BINOPS[instr.opcode]
    a, b = ctx.op(0), ctx.op(1)

    def lane(x: Lane, y: Lane) -> Lane:
        r, p = fn(x.v, y.v, instr.flags)
        return Lane(r, z3.Or(x.p, y.p, p))
    return zip_lanes(lane, a, b)


for _name in SIMPLE_BINOPS:
    opcode(_name)(_binop)


@opcode("udiv", "sdiv", "urem", "srem")
def _division(ctx, instr):
    """Division by zero (or by poison, which may be zero) is immediate UB, as
    is signed INT_MIN / -1 (a poison dividend may be INT_MIN)."""
    a, b = ctx.op(0), ctx.op(1)
    op = instr.opcode
    signed = op in ("sdiv", "srem")

    def lane(x: Lane, y: Lane) -> Lane:
        w = x.v.size()
        zero = z3.BitVecVal(0, w)
        ub = z3.Or(y.p, y.v == zero)
        if signed:
            int_min = z3.BitVecVal(1 << (w - 1), w)
            ub = z3.Or(ub, z3.And(y.v == z3.BitVecVal(-1, w), z3.Or(x.p, x.v == int_min)))
        ctx.add_ub(ub, guardable=True)
        # Guard the divisor so the term stays meaningful where UB is excluded.
        safe = z3.If(y.v == zero, z3.BitVecVal(1, w), y.v)
        if op == "udiv":
            r = z3.UDiv(x.v, safe)
            rem = z3.URem(x.v, safe)
        elif op == "urem":
            r = rem = z3.URem(x.v, safe)
        elif op == "sdiv":
            r = x.v / safe
            rem = z3.SRem(x.v, safe)
        else:
            r = rem = z3.SRem(x.v, safe)
        p = x.p
        if "exact" in instr.flags:
            p = z3.Or(p, rem != zero)
        return Lane(r, p)
    return zip_lanes(lane, a, b)


ICMP = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "ugt": z3.UGT, "uge": z3.UGE, "ult": z3.ULT, "ule": z3.ULE,
    "sgt": lambda a, b: a > b, "sge": lambda a, b: a >= b,
    "slt": lambda a, b: a < b, "sle": lambda a, b: a <= b,
}


@opcode("icmp")
def _icmp(ctx, instr):
    if instr.predicate not in ICMP:
        raise Unsupported(f"icmp predicate {instr.predicate}")
    cmp = ICMP[instr.predicate]
    a, b = ctx.op(0), ctx.op(1)

    def lane(x: Lane, y: Lane) -> Lane:
        p = z3.Or(x.p, y.p)
        if "samesign" in instr.flags:
            w = x.v.size()
            p = z3.Or(p, z3.Extract(w - 1, w - 1, x.v) != z3.Extract(w - 1, w - 1, y.v))
        return Lane(bool_to_bv(cmp(x.v, y.v)), p)
    return zip_lanes(lane, a, b)


@opcode("trunc", "zext", "sext")
def _int_cast(ctx, instr):
    src = ctx.op(0)
    to_w = width_of(instr.type)
    op = instr.opcode

    def lane(x: Lane) -> Lane:
        w = x.v.size()
        if op == "trunc":
            r = z3.Extract(to_w - 1, 0, x.v)
            p = x.p
            if "nuw" in instr.flags:
                p = z3.Or(p, z3.ZeroExt(w - to_w, r) != x.v)
            if "nsw" in instr.flags:
                p = z3.Or(p, z3.SignExt(w - to_w, r) != x.v)
            return Lane(r, p)
        if op == "zext":
            p = x.p
            if "nneg" in instr.flags:
                p = z3.Or(p, x.v < 0)
            return Lane(z3.ZeroExt(to_w - w, x.v), p)
        return Lane(z3.SignExt(to_w - w, x.v), x.p)

    if isinstance(src, tuple):
        return tuple(lane(e) for e in src)
    return lane(src)


@opcode("bitcast")
def _bitcast(ctx, instr):
    """Reinterpret bits between integers and integer vectors. Poison in any
    source lane poisons the destination lanes that share its bits."""
    src = ctx.op(0)
    src_ty = instr.operands[0].type
    dst_ty = instr.type
    width_of(src_ty)
    width_of(dst_ty)
    return bitcast_value(src, src_ty, dst_ty, ctx.little_endian)


def bitcast_value(src: SVal, src_ty, dst_ty, little_endian: bool) -> SVal:
    src_lanes = lanes(src)
    bits = flatten_bits(src, little_endian)
    # poison per source bit range
    src_w = src_lanes[0].v.size()
    order = list(range(len(src_lanes)))
    if not little_endian:
        order = order[::-1]
    dst_w = dst_ty.scalar().width
    n_dst = dst_ty.count if isinstance(dst_ty, VectorType) else 1
    out = []
    for k in range(n_dst):
        pos = k if little_endian else n_dst - 1 - k
        lo, hi = pos * dst_w, (pos + 1) * dst_w
        value = z3.Extract(hi - 1, lo, bits)
        poisons = [src_lanes[order[j]].p for j in range(len(src_lanes))
                   if j * src_w < hi and (j + 1) * src_w > lo]
        out.append(Lane(value, z3.Or(poisons) if len(poisons) > 1 else poisons[0]))
    return tuple(out) if isinstance(dst_ty, VectorType) else out[0]


@opcode("select")
def _select(ctx, instr):
    """A poison condition makes the result poison; the arm not taken does
    not matter. A vector condition selects lane by lane."""
    c, a, b = ctx.op(0), ctx.op(1), ctx.op(2)

    def pick(cond: Lane, x: SVal, y: SVal) -> SVal:
        take = cond.v == 1
        return zip_lanes(lambda l, r: Lane(z3.If(take, l.v, r.v),
                                           z3.Or(cond.p, z3.If(take, l.p, r.p))), x, y)

    if isinstance(c, tuple):
        return tuple(pick(cl, al, bl) for cl, al, bl in zip(c, a, b))
    return pick(c, a, b)


@opcode("freeze")
def _freeze(ctx, instr):
    """Poison becomes one arbitrary value; undef becomes one fixed value
    (the operand's undef choices are taken as non-determinism, not undef)."""
    val = ctx.op(0, undef_as_nondet=True)

    def lane(x: Lane) -> Lane:
        if z3.is_false(x.p):
            return x
        pick = ctx.fresh_nondet(x.v.size(), "freeze")
        return Lane(z3.If(x.p, pick, x.v), F)

    return map_lanes(lane, val)

