"""FP instructions: fneg, fadd fsub fmul fdiv frem, fcmp, the conversions
(fptoui fptosi uitofp sitofp fpext fptrunc), and fast-math flags on select
and phi — LangRef's semantics in the default environment (round to nearest
even, no traps), as Alive2 encodes it. Lanes hold bit patterns (see
fp_values.py); `bitcast` needs nothing here.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.fp_flags import chosen_value_flags, fm_flags, fp_lane
from veriopt.translation.ir_smt.fp_values import RNE, pow2_bits, sort, to_fp
from veriopt.translation.ir_smt.registry import OPCODES, opcode
from veriopt.translation.ir_smt.values import Lane, bool_to_bv, map_lanes, zip_lanes


def _frem(a: z3.FPRef, b: z3.FPRef) -> z3.FPRef:
    """C's fmod: IEEE remainder of the magnitudes, moved into [0, |b|),
    with the dividend's sign (exact, so the rounding mode is irrelevant)."""
    rb = z3.fpAbs(b)
    rem = z3.fpRem(z3.fpAbs(a), rb)
    rem = z3.If(z3.fpIsNegative(rem), z3.fpAdd(RNE, rem, rb), rem)
    res = z3.If(z3.fpIsNegative(a), z3.fpNeg(z3.fpAbs(rem)), z3.fpAbs(rem))
    nan = z3.fpNaN(a.sort())
    return z3.If(z3.Or(z3.fpIsInf(a), z3.fpIsZero(b)), nan, z3.If(z3.fpIsInf(b), a, res))


BINARY = {
    "fadd": lambda a, b: z3.fpAdd(RNE, a, b),
    "fsub": lambda a, b: z3.fpSub(RNE, a, b),
    "fmul": lambda a, b: z3.fpMul(RNE, a, b),
    "fdiv": lambda a, b: z3.fpDiv(RNE, a, b),
    "frem": _frem,
}


@opcode(*BINARY)
def _fp_binop(ctx, instr):
    fn = BINARY[instr.opcode]
    ty = instr.type
    flags = fm_flags(instr.flags, rounds=True)
    return zip_lanes(lambda x, y: fp_lane(ctx, flags, [x, y], ty, fn), ctx.op(0), ctx.op(1))


def sign_mask(w: int) -> z3.BitVecRef:
    return z3.BitVecVal(1 << (w - 1), w)


@opcode("fneg")
def _fneg(ctx, instr):
    """Flips the sign bit, NaN payload kept (LangRef)."""
    flags = fm_flags(instr.flags, rounds=False)
    return map_lanes(lambda x: fp_lane(ctx, flags, [x], instr.type,
                                       lambda v: v ^ sign_mask(v.size()), bitwise=True),
                     ctx.op(0))


def _ordered(a, b):
    return z3.And(z3.Not(z3.fpIsNaN(a)), z3.Not(z3.fpIsNaN(b)))


def _unordered(a, b):
    return z3.Or(z3.fpIsNaN(a), z3.fpIsNaN(b))


FCMP = {
    "false": lambda a, b: z3.BoolVal(False), "true": lambda a, b: z3.BoolVal(True),
    "oeq": z3.fpEQ, "ogt": z3.fpGT, "oge": z3.fpGEQ, "olt": z3.fpLT, "ole": z3.fpLEQ,
    "one": lambda a, b: z3.And(_ordered(a, b), z3.Not(z3.fpEQ(a, b))),
    "ord": _ordered,
    "ueq": lambda a, b: z3.Or(_unordered(a, b), z3.fpEQ(a, b)),
    "ugt": lambda a, b: z3.Or(_unordered(a, b), z3.fpGT(a, b)),
    "uge": lambda a, b: z3.Or(_unordered(a, b), z3.fpGEQ(a, b)),
    "ult": lambda a, b: z3.Or(_unordered(a, b), z3.fpLT(a, b)),
    "ule": lambda a, b: z3.Or(_unordered(a, b), z3.fpLEQ(a, b)),
    "une": lambda a, b: z3.Not(z3.fpEQ(a, b)),
    "uno": _unordered,
}


@opcode("fcmp")
def _fcmp(ctx, instr):
    if instr.predicate not in FCMP:
        raise Unsupported(f"fcmp predicate {instr.predicate}")
    cmp = FCMP[instr.predicate]
    ty = instr.operands[0].type
    flags = fm_flags(instr.flags, rounds=False)

    return zip_lanes(lambda x, y: _cmp_lane(ctx, flags, x, y, ty, cmp), ctx.op(0), ctx.op(1))


def _cmp_lane(ctx, flags, x: Lane, y: Lane, ty, cmp) -> Lane:
    """A comparison's result is an i1, so only the operand flags apply
    (nnan, ninf; the sign of a zero never changes a comparison)."""
    out = fp_lane(ctx, flags - {"nsz"}, [x, y], ty, lambda a, b: z3.BitVecVal(0, 1),
                  bitwise=True)
    return Lane(bool_to_bv(cmp(to_fp(x.v, ty), to_fp(y.v, ty))), out.p)


def _plain_flags(instr, allowed: set[str]) -> None:
    for flag in instr.flags:
        if flag not in allowed:
            raise Unsupported(f"flag {flag} on {instr.opcode}")


@opcode("uitofp", "sitofp")
def _int_to_fp(ctx, instr):
    """Rounded to nearest even; `nneg` makes a negative operand poison."""
    _plain_flags(instr, {"nneg"})
    signed = instr.opcode == "sitofp"
    to = sort(instr.type)

    def lane(x: Lane) -> Lane:
        conv = z3.fpToFP(RNE, x.v, to) if signed else z3.fpToFPUnsigned(RNE, x.v, to)
        p = x.p
        if "nneg" in instr.flags:
            p = z3.Or(p, x.v < 0)
        return Lane(z3.fpToIEEEBV(conv), p)
    return map_lanes(lane, ctx.op(0))


@opcode("fptoui", "fptosi")
def _fp_to_int(ctx, instr):
    """Rounded toward zero; poison when the rounded value does not fit
    (NaN and infinities never do)."""
    _plain_flags(instr, set())
    signed = instr.opcode == "fptosi"
    src_ty = instr.operands[0].type
    n = instr.type.scalar().width

    def lane(x: Lane) -> Lane:
        f = to_fp(x.v, src_ty)
        rounded = z3.fpRoundToIntegral(z3.RTZ(), f)
        if signed:
            lo, hi = z3.fpNeg(pow2_bits(n - 1, src_ty)), pow2_bits(n - 1, src_ty)
            value = z3.fpToSBV(z3.RTZ(), f, z3.BitVecSort(n))
        else:
            lo, hi = z3.fpPlusZero(f.sort()), pow2_bits(n, src_ty)
            value = z3.fpToUBV(z3.RTZ(), f, z3.BitVecSort(n))
        fits = z3.And(z3.Not(z3.fpIsNaN(f)), z3.fpGEQ(rounded, lo), z3.fpLT(rounded, hi))
        return Lane(z3.If(fits, value, z3.BitVecVal(0, n)), z3.Or(x.p, z3.Not(fits)))
    return map_lanes(lane, ctx.op(0))


@opcode("fpext", "fptrunc")
def _fp_resize(ctx, instr):
    """Rounded to nearest even; a NaN keeps (the top of) its payload or not,
    as for any NaN result."""
    src_ty = instr.operands[0].type
    flags = fm_flags(instr.flags, rounds=instr.opcode == "fptrunc")
    to = sort(instr.type)
    return map_lanes(lambda x: fp_lane(ctx, flags, [x], src_ty,
                                       lambda f: z3.fpToFP(RNE, f, to), to_ty=instr.type),
                     ctx.op(0))


# ---- fast-math flags on select and phi --------------------------------------

_int_select = OPCODES["select"]


@opcode("select")
def _select(ctx, instr):
    """With fast-math flags, the chosen value goes through them (nnan,
    ninf: poison; nsz: either zero), as in Alive2."""
    return chosen_value_flags(ctx, instr.flags, _int_select(ctx, instr), instr.type)

