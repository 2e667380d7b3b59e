"""Fast-math flags, `nofpclass` and FP classes, and the one pipeline every
FP operation goes through (`fp_lane`), as LangRef defines the flags and
Alive2 encodes them:

- `nnan` / `ninf`: poison if an operand or the result is NaN / infinite;
- `nsz`: the sign of a zero operand or zero result is non-deterministic;
- `arcp contract afn reassoc` (and `fast`, which implies them) allow
  value-changing rewrites. They are accepted on operations that do not
  round (fneg, fabs, copysign, comparisons, select, min/max, classes),
  whose value no such rewrite changes; on a rounding operation the check
  would need their meaning, which is not modelled: `unsupported`.
"""
from __future__ import annotations

from collections.abc import Callable

import z3

from veriopt.errors import Unsupported
from veriopt.ir.types import Type
from veriopt.translation.ir_smt.fp_values import result_bits, to_fp
from veriopt.translation.ir_smt.values import Lane, SVal, map_lanes

APPROX = ("arcp", "contract", "afn", "reassoc")
FAST = frozenset({"nnan", "ninf", "nsz", "arcp", "contract", "afn", "reassoc"})


def fm_flags(flags: frozenset[str], rounds: bool) -> frozenset[str]:
    """The fast-math flags among `flags` (`fast` spelled out); refuse the
    approximation flags on an operation that rounds."""
    out = set(flags)
    if "fast" in out:
        out |= FAST
    if rounds:
        for flag in APPROX:
            if flag in out:
                raise Unsupported(f"fast-math flag {flag}")
    return frozenset(out & FAST)


def any_zero_bits(ctx, bits: z3.BitVecRef) -> z3.BitVecRef:
    """nsz on a bit pattern: a zero may have either sign."""
    w = bits.size()
    if z3.is_bv_value(bits) and (bits.as_long() & ((1 << (w - 1)) - 1)):
        return bits
    flip = ctx.fresh_nondet(1, "nsz")
    is_zero = z3.Extract(w - 2, 0, bits) == 0
    return z3.If(z3.And(is_zero, flip == 1), bits ^ z3.BitVecVal(1 << (w - 1), w), bits)


def any_zero_fp(ctx, value: z3.FPRef) -> z3.FPRef:
    """nsz on a result: a zero may have either sign."""
    flip = ctx.fresh_nondet(1, "nsz")
    return z3.If(z3.And(z3.fpIsZero(value), flip == 1), z3.fpNeg(value), value)


def fp_lane(ctx, flags: frozenset[str], xs: list[Lane], ty: Type,
            fn: Callable[..., z3.ExprRef], *, bitwise: bool = False, to_ty: Type | None = None,
            flags_in_only: bool = False) -> Lane:
    """One lane of an FP operation on operands `xs` of type `ty`.

    `fn` gets FP terms (or, with `bitwise`, bit patterns) and returns the
    result as an FP term (or bit pattern). The result is poison if an
    operand is, or as the flags say; a NaN result gets LangRef's
    non-deterministic NaN (not for bit operations, which keep payloads)."""
    poison = z3.Or([x.p for x in xs]) if len(xs) > 1 else xs[0].p
    bits = [x.v for x in xs]
    if "nsz" in flags:
        bits = [any_zero_bits(ctx, b) for b in bits]
    fps = [to_fp(b, ty) for b in bits]
    extra = []
    if bitwise:
        value = fn(*bits)
    else:
        value = fn(*fps)
    if "nnan" in flags:
        extra += [z3.fpIsNaN(f) for f in fps]
        if not flags_in_only and not bitwise:
            extra.append(z3.fpIsNaN(value))
    if "ninf" in flags:
        extra += [z3.fpIsInf(f) for f in fps]
        if not flags_in_only and not bitwise:
            extra.append(z3.fpIsInf(value))
    if not bitwise:
        if "nsz" in flags and not flags_in_only:
            value = any_zero_fp(ctx, value)
        value = result_bits(ctx, value, to_ty or ty, [(b, ty) for b in bits])
    if extra:
        poison = z3.Or(poison, *extra)
    return Lane(value, poison)


def chosen_value_flags(ctx, flags: frozenset[str], val: SVal, ty: Type) -> SVal:
    """Fast-math flags on select and phi apply to the chosen value: nnan,
    ninf make it poison, nsz lets a zero have either sign (Alive2)."""
    if not flags:
        return val
    flags = fm_flags(flags, rounds=False)
    return map_lanes(lambda x: fp_lane(ctx, flags, [x], ty, lambda v: v, bitwise=True), val)


# ---- classes: llvm.is.fpclass and nofpclass ------------------------------------

def in_classes(bits: z3.BitVecRef, ty: Type, mask: int) -> z3.BoolRef:
    """Is the value in one of the classes of an is.fpclass `mask`?
    (1 snan, 2 qnan, 4 -inf, 8 -normal, 16 -subnormal, 32 -0, 64 +0,
    128 +subnormal, 256 +normal, 512 +inf)"""
    from veriopt.translation.ir_smt.fp_values import fmt
    e, s = fmt(ty)
    w = e + s
    neg = z3.Extract(w - 1, w - 1, bits) == 1
    exp = z3.Extract(w - 2, s - 1, bits)
    frac = z3.Extract(s - 2, 0, bits)
    ones, zero_exp = exp == z3.BitVecVal(-1, e), exp == 0
    quiet = z3.Extract(s - 2, s - 2, bits) == 1
    nan = z3.And(ones, frac != 0)
    classes = {
        1: z3.And(nan, z3.Not(quiet)), 2: z3.And(nan, quiet),
        4: z3.And(ones, frac == 0, neg), 512: z3.And(ones, frac == 0, z3.Not(neg)),
        8: z3.And(z3.Not(ones), z3.Not(zero_exp), neg),
        256: z3.And(z3.Not(ones), z3.Not(zero_exp), z3.Not(neg)),
        16: z3.And(zero_exp, frac != 0, neg), 128: z3.And(zero_exp, frac != 0, z3.Not(neg)),
        32: z3.And(zero_exp, frac == 0, neg), 64: z3.And(zero_exp, frac == 0, z3.Not(neg)),
    }
    picked = [cond for bit, cond in classes.items() if mask & bit]
    if not picked:
        return z3.BoolVal(False)
    return z3.Or(picked) if len(picked) > 1 else picked[0]


def apply_nofpclass(val: SVal, mask: int, ty: Type) -> SVal:
    """`nofpclass(...)`: a value in an excluded class is poison."""
    if not mask:
        return val
    return map_lanes(lambda x: Lane(x.v, z3.Or(x.p, in_classes(x.v, ty, mask))), val)
