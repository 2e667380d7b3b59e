"""FP intrinsics: fabs, copysign (bit operations, NaN payloads kept), the
min/max families, fma and fmuladd, sqrt, rounding to an integral value,
canonicalize, is.fpclass, and the vector reductions fmax/fmin/fmaximum/
fminimum — as LangRef defines them and Alive2 encodes them.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.fp_flags import fm_flags, fp_lane, in_classes
from veriopt.translation.ir_smt.fp_values import RNE, fmt, is_nan_bits
from veriopt.translation.ir_smt.registry import intrinsic
from veriopt.translation.ir_smt.values import (
    Lane,
    bool_to_bv,
    lanes,
    map_lanes,
    zip_lanes,
)


def _lanewise(ctx, instr, fn, n: int, *, bitwise: bool = False, rounds: bool = False):
    flags = fm_flags(instr.flags, rounds=rounds)
    ty = instr.operands[0].type
    ops = [ctx.op(i) for i in range(n)]
    return zip_lanes(lambda *xs: fp_lane(ctx, flags, list(xs), ty, fn, bitwise=bitwise), *ops)


def _sign(w: int) -> z3.BitVecRef:
    return z3.BitVecVal(1 << (w - 1), w)


@intrinsic("llvm.fabs")
def _fabs(ctx, instr):
    return _lanewise(ctx, instr, lambda v: v & ~_sign(v.size()), 1, bitwise=True)


@intrinsic("llvm.copysign")
def _copysign(ctx, instr):
    return _lanewise(ctx, instr,
                     lambda a, b: (a & ~_sign(a.size())) | (b & _sign(a.size())), 2, bitwise=True)


def _min_max_num(ctx, is_min: bool):
    """minnum/maxnum as Alive2 (the referee) and this machine's LLVM read
    them: a NaN operand, quiet or signalling, yields the other one; equal
    operands (+0 and -0 among them) either one. (LLVM 22's LangRef text
    has moved between this and IEEE-754-2008's minNum, where a signalling
    NaN gives a quiet NaN and -0 < +0.)"""
    def fn(a, b):
        pick = ctx.fresh_nondet(1, "minmax")
        cmp = z3.fpLEQ(a, b) if is_min else z3.fpGEQ(a, b)
        return z3.If(z3.fpIsNaN(a), b, z3.If(z3.fpIsNaN(b), a,
                     z3.If(z3.fpEQ(a, b), z3.If(pick == 1, a, b), z3.If(cmp, a, b))))
    return fn


def _signed_zero_order(a, b, is_min: bool):
    """-0 < +0 for minimum/maximum and the -num variants."""
    zero_neg = z3.fpMinusZero(a.sort())
    zero_pos = z3.fpPlusZero(a.sort())
    neg = z3.Or(z3.fpIsNegative(a), z3.fpIsNegative(b)) if is_min else \
        z3.And(z3.fpIsNegative(a), z3.fpIsNegative(b))
    cmp = z3.fpLEQ(a, b) if is_min else z3.fpGEQ(a, b)
    return z3.If(z3.And(z3.fpIsZero(a), z3.fpIsZero(b)), z3.If(neg, zero_neg, zero_pos),
                 z3.If(cmp, a, b))


def _minimum(is_min: bool):
    """minimum/maximum: NaN if either operand is."""
    return lambda a, b: z3.If(z3.fpIsNaN(a), a, z3.If(z3.fpIsNaN(b), b,
                                                       _signed_zero_order(a, b, is_min)))


def _minimum_num(is_min: bool):
    """minimumnum/maximumnum: a NaN operand yields the other one."""
    return lambda a, b: z3.If(z3.fpIsNaN(a), b, z3.If(z3.fpIsNaN(b), a,
                                                       _signed_zero_order(a, b, is_min)))


for _name, _is_min in (("min", True), ("max", False)):
    intrinsic(f"llvm.{_name}num")(
        lambda ctx, instr, m=_is_min: _lanewise(ctx, instr, _min_max_num(ctx, m), 2))
    intrinsic(f"llvm.{_name}imum")(
        lambda ctx, instr, m=_is_min: _lanewise(ctx, instr, _minimum(m), 2))
    intrinsic(f"llvm.{_name}imumnum")(
        lambda ctx, instr, m=_is_min: _lanewise(ctx, instr, _minimum_num(m), 2))


@intrinsic("llvm.fma")
def _fma(ctx, instr):
    return _lanewise(ctx, instr, lambda a, b, c: z3.fpFMA(RNE, a, b, c), 3, rounds=True)


@intrinsic("llvm.fmuladd")
def _fmuladd(ctx, instr):
    """Fused or not, the implementation's (non-deterministic) choice."""
    def fn(a, b, c):
        fused = ctx.fresh_nondet(1, "fmuladd")
        return z3.If(fused == 1, z3.fpFMA(RNE, a, b, c), z3.fpAdd(RNE, z3.fpMul(RNE, a, b), c))
    return _lanewise(ctx, instr, fn, 3, rounds=True)


@intrinsic("llvm.sqrt")
def _sqrt(ctx, instr):
    return _lanewise(ctx, instr, lambda a: z3.fpSqrt(RNE, a), 1, rounds=True)


@intrinsic("llvm.canonicalize")
def _canonicalize(ctx, instr):
    """The value itself (IEEE denormals kept); a NaN becomes a quiet NaN
    with any payload the NaN rules allow (LangRef: sNaN gives qNaN)."""
    quiet = 1 << (fmt(instr.type)[1] - 2)

    def quieted(x: Lane) -> Lane:
        return Lane(z3.If(is_nan_bits(x.v, instr.type), x.v | quiet, x.v), x.p)
    return map_lanes(quieted, _lanewise(ctx, instr, lambda a: a, 1))


_ROUNDING = {"floor": z3.RTN, "ceil": z3.RTP, "trunc": z3.RTZ, "round": z3.RNA,
             "roundeven": z3.RNE, "rint": z3.RNE, "nearbyint": z3.RNE}

for _name, _mode in _ROUNDING.items():
    intrinsic(f"llvm.{_name}")(
        lambda ctx, instr, m=_mode: _lanewise(ctx, instr,
                                              lambda a: z3.fpRoundToIntegral(m(), a), 1))


@intrinsic("llvm.is.fpclass")
def _is_fpclass(ctx, instr):
    """i1 per lane; poison only if the operand is."""
    mask_arg = instr.operands[1]
    if not hasattr(mask_arg, "value"):
        raise Unsupported("non-constant class mask of llvm.is.fpclass")
    mask = mask_arg.value & 1023
    ty = instr.operands[0].type
    return map_lanes(lambda x: Lane(bool_to_bv(in_classes(x.v, ty, mask)), x.p), ctx.op(0))


_REDUCE = {"fmax": lambda ctx: _min_max_num(ctx, False), "fmin": lambda ctx: _min_max_num(ctx, True),
           "fmaximum": lambda ctx: _minimum(False), "fminimum": lambda ctx: _minimum(True)}


@intrinsic(*[f"llvm.vector.reduce.{k}" for k in _REDUCE])
def _reduce(ctx, instr):
    """Lane 0 combined with each next lane in order, as Alive2 does; the
    flags apply to every step."""
    make = _REDUCE[instr.extra["callee"].split(".")[3]]
    flags = fm_flags(instr.flags, rounds=False)
    ty = instr.type
    vec = lanes(ctx.op(0))
    acc = vec[0]
    for lane in vec[1:]:
        acc = fp_lane(ctx, flags, [acc, lane], ty, make(ctx))
    return acc
