"""IEEE-754 values of the IR verifier: a lane holds the bit pattern.

Keeping the bits (not a Z3 FP term) in `Lane.v` lets select, phi, vectors,
aggregates, freeze and bitcast work on floats unchanged; operations convert
with `fpBVToFP` and back. A result that is NaN takes a non-deterministic NaN
bit pattern within LangRef's rules ("Behavior of Floating-Point NaN
values"), as Alive2 encodes them: any sign; the quiet bit and payload are
the preferred NaN's, or those of a NaN operand (quieted or unchanged), or
a target-specific quiet NaN (one unknown payload per format, shared by
source and target). Every choice is a NaN, so no side constraint is needed.

Also: constants as LLVM 22 prints them, and alive-tv's way of showing a
value in a counterexample.
"""
from __future__ import annotations

from fractions import Fraction

import z3

from veriopt.errors import Unsupported
from veriopt.ir.types import FLOAT_FORMATS, FloatType, Type

RNE = z3.RNE()


def fmt(ty: Type) -> tuple[int, int]:
    """(exponent bits, significand bits with the hidden one) of a scalar
    float type or of a vector's element."""
    scalar = ty.scalar()
    if not isinstance(scalar, FloatType) or scalar.name not in FLOAT_FORMATS:
        raise Unsupported(f"floating point ({scalar})")
    return FLOAT_FORMATS[scalar.name]


def sort(ty: Type) -> z3.FPSortRef:
    e, s = fmt(ty)
    return z3.FPSort(e, s)


def to_fp(bits: z3.BitVecRef, ty: Type) -> z3.FPRef:
    return z3.fpBVToFP(bits, sort(ty))


def is_nan_bits(bits: z3.BitVecRef, ty: Type) -> z3.BoolRef:
    e, s = fmt(ty)
    w = e + s
    exp = z3.Extract(w - 2, s - 1, bits)
    frac = z3.Extract(s - 2, 0, bits)
    return z3.And(exp == z3.BitVecVal(-1, e), frac != 0)


def is_zero_bits(bits: z3.BitVecRef) -> z3.BoolRef:
    w = bits.size()
    return z3.Extract(w - 2, 0, bits) == 0


def shared_var(ctx, name: str, width: int) -> z3.BitVecRef:
    """An unknown both sides share, chosen once per execution like an
    input (the target's own NaN payload, the dynamic rounding mode). Kept
    with the inputs both sides are encoded over; the target's encoding
    lists them with its choices (existential in the refinement query,
    fixed in a concrete run)."""
    shared = ctx.inputs.shared
    if name not in shared:
        shared[name] = z3.BitVec(name, width)
    return shared[name]


def nan_bits(ctx, ty: Type, sources: list[tuple[z3.BitVecRef, Type]]) -> z3.BitVecRef:
    """A NaN of type `ty` chosen as LangRef allows, given the operands that
    may propagate their payload (`sources`: bits and their type, which
    differs from `ty` for fpext/fptrunc)."""
    e, s = fmt(ty)
    f = s - 1                                  # stored fraction bits
    choice = ctx.fresh_nondet(5, "nan")        # sign, quieting, which option (3 bits)
    sign, quieten, which = z3.Extract(4, 4, choice), z3.Extract(3, 3, choice), z3.Extract(2, 0, choice)
    frac = z3.BitVecVal(1 << (f - 1), f)       # the preferred NaN (quiet, payload 0)
    for k, (bits, src_ty) in enumerate(sources[:3], start=1):
        sf = fmt(src_ty)[1] - 1
        part = z3.Extract(sf - 1, 0, bits)
        payload_kept = z3.BoolVal(True)
        if sf > f:      # fptrunc: the low payload bits are dropped
            part = z3.Extract(sf - 1, sf - f, part)
            payload_kept = part != 0
        elif sf < f:    # fpext: padded with zeros
            part = z3.Concat(part, z3.BitVecVal(0, f - sf))
        quiet = z3.If(payload_kept, z3.Extract(f - 1, f - 1, part) | quieten, z3.BitVecVal(1, 1))
        option = z3.Concat(quiet, z3.Extract(f - 2, 0, part)) if f > 1 else quiet
        frac = z3.If(z3.And(which == k, is_nan_bits(bits, src_ty)), option, frac)
    target_payload = shared_var(ctx, f"fp:target_nan:{e}:{s}", f - 1)
    frac = z3.If(which == len(sources[:3]) + 1, z3.Concat(z3.BitVecVal(1, 1), target_payload), frac)
    return z3.Concat(sign, z3.BitVecVal(-1, e), frac)


def result_bits(ctx, value: z3.FPRef, ty: Type,
                sources: list[tuple[z3.BitVecRef, Type]]) -> z3.BitVecRef:
    """The bit pattern of an operation's result `value`; a NaN result is
    any NaN LangRef allows (see `nan_bits`)."""
    isnan = z3.simplify(z3.fpIsNaN(value))
    plain = z3.fpToIEEEBV(value)
    if z3.is_false(isnan):
        return plain
    return z3.If(isnan, nan_bits(ctx, ty, sources), plain)


def pow2_bits(k: int, ty: Type) -> z3.FPRef:
    """2**k in the format (infinity beyond its range), as an FP term."""
    e, s = fmt(ty)
    bias = (1 << (e - 1)) - 1
    field = k + bias
    if field >= (1 << e) - 1:
        return z3.fpPlusInfinity(sort(ty))
    assert field >= 1
    return z3.fpBVToFP(z3.BitVecVal(field << (s - 1), e + s), sort(ty))


# ---- constants -------------------------------------------------------------

def decode(bits: int, e: int, s: int) -> Fraction | str:
    """Exact value of a bit pattern: a Fraction, or 'nan', '+inf', '-inf'."""
    f = s - 1
    sign = -1 if bits >> (e + f) & 1 else 1
    exp = bits >> f & ((1 << e) - 1)
    frac = bits & ((1 << f) - 1)
    bias = (1 << (e - 1)) - 1
    if exp == (1 << e) - 1:
        return "nan" if frac else ("-inf" if sign < 0 else "+inf")
    if exp == 0:
        return sign * Fraction(frac) * Fraction(2) ** (1 - bias - f)
    return sign * Fraction((1 << f) + frac) * Fraction(2) ** (exp - bias - f)


def encode(q: Fraction, e: int, s: int, negative: bool = False) -> int:
    """The bit pattern nearest to `q` (ties to even), as a constant is read."""
    f = s - 1
    bias = (1 << (e - 1)) - 1
    sign = 1 if (q < 0 or (q == 0 and negative)) else 0
    q = abs(q)
    top = sign << (e + f)
    if q == 0:
        return top
    k = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** k > q:
        k -= 1                                   # now 2**k <= q < 2**(k+1)
    k = max(k, 1 - bias)                         # subnormals share the least exponent
    scaled = q / Fraction(2) ** (k - f)
    m = scaled.numerator // scaled.denominator
    rest = scaled - m
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and m & 1):
        m += 1
    if m == 1 << s:
        m >>= 1
        k += 1
    if k + bias >= (1 << e) - 1:
        return top | (((1 << e) - 1) << f)       # infinity
    if m < 1 << f:
        return top | m                           # subnormal
    return top | ((k + bias) << f) | (m - (1 << f))


def _convert_bits(bits: int, from_fmt: tuple[int, int], to_fmt: tuple[int, int]) -> int:
    """A constant written in one format (LLVM writes float constants as
    doubles) in another; NaN payloads keep their top bits."""
    (e1, s1), (e2, s2) = from_fmt, to_fmt
    value = decode(bits, e1, s1)
    sign = bits >> (e1 + s1 - 1) & 1
    if value == "nan":
        frac = bits & ((1 << (s1 - 1)) - 1)
        frac = frac >> (s1 - s2) if s1 >= s2 else frac << (s2 - s1)
        return (sign << (e2 + s2 - 1)) | (((1 << e2) - 1) << (s2 - 1)) | frac
    if isinstance(value, str):
        return (sign << (e2 + s2 - 1)) | (((1 << e2) - 1) << (s2 - 1))
    return encode(value, e2, s2, negative=bool(sign))


def const_bits(text: str, ty: FloatType) -> int:
    """Bits of an FP literal as LLVM 22 prints it: `1.000000e+00`,
    `0x3FF0000000000000` (a double, also for float), `0xH3C00` (half),
    `0xR3F80` (bfloat), `0xL<low 64><high 64>` (fp128)."""
    e, s = fmt(ty)
    negative = text.startswith("-")
    body = text[1:] if negative else text
    flip = (1 << (e + s - 1)) if negative else 0
    if body[:2] in ("0x", "0X"):
        kind, digits = body[2], body[3:]
        if kind in "HRL":
            if kind == "L":
                value = int(digits[16:], 16) << 64 | int(digits[:16], 16)
                src = FLOAT_FORMATS["fp128"]
            else:
                value = int(digits, 16)
                src = FLOAT_FORMATS["half" if kind == "H" else "bfloat"]
        elif kind in "KM":
            raise Unsupported(f"floating point constant {text}")
        else:
            value, src = int(body, 16), FLOAT_FORMATS["double"]
        bits = value if src == (e, s) else _convert_bits(value, src, (e, s))
        return bits ^ flip
    try:
        q = Fraction(body)
    except ValueError:
        raise Unsupported(f"floating point constant {text}") from None
    return encode(-q if negative else q, e, s, negative=negative)


# ---- counterexamples -------------------------------------------------------

def format_fp(bits: int, ty: Type) -> str:
    """alive-tv's spelling: `#x3f800000 (1.0)`, `(+0.0)`, `(-oo)`, `(QNaN)`."""
    e, s = fmt(ty)
    digits = (e + s + 3) // 4
    value = decode(bits, e, s)
    if value == "nan":
        quiet = bits >> (s - 2) & 1
        shown = "QNaN" if quiet else "SNaN"
    elif value in ("+inf", "-inf"):
        shown = value[0] + "oo"
    elif value == 0:
        shown = "-0.0" if bits >> (e + s - 1) else "+0.0"
    else:
        shown = _decimal(value)
    return f"#x{bits:0{digits}x} ({shown})"


def _decimal(q: Fraction) -> str:
    """As Z3 prints a real (alive-tv shows these): exact when 12 decimals
    suffice (`2.5`, `1.0`), else truncated to 12 with a `?`."""
    sign = "-" if q < 0 else ""
    q = abs(q)
    whole = q.numerator // q.denominator
    rest = q - whole
    digits = ""
    while rest and len(digits) < 12:
        rest *= 10
        d = rest.numerator // rest.denominator
        digits += str(d)
        rest -= d
    return f"{sign}{whole}.{digits or '0'}" + ("?" if rest else "")


# ---- solver support ----------------------------------------------------------

def without_ieee_bv(formula: z3.BoolRef) -> z3.BoolRef:
    """An equisatisfiable quantifier-free formula without `fp.to_ieee_bv`
    (a Z3 extension other solvers lack): each such term becomes a fresh
    bit-vector `k` with `to_fp(k) = x`. Exact where `x` is not NaN; where
    it is NaN the semantics never reads the term (`result_bits` guards it),
    so any NaN pattern `k` takes is harmless. Models keep their meaning
    for the formula's own variables."""
    found: dict[int, z3.ExprRef] = {}
    todo, seen = [formula], set()
    while todo:
        e = todo.pop()
        if e.get_id() in seen or not z3.is_app(e):
            continue
        seen.add(e.get_id())
        if e.decl().kind() == z3.Z3_OP_FPA_TO_IEEE_BV:
            found[e.get_id()] = e
        todo.extend(e.children())
    if not found:
        return formula
    pairs = [(t, z3.BitVec(f"fpbits!{i}", t.size())) for i, t in enumerate(found.values())]
    defs = [z3.fpBVToFP(k, t.arg(0).sort()) == t.arg(0) for t, k in pairs]
    return z3.And(z3.substitute(formula, *pairs), *[z3.substitute(d, *pairs) for d in defs])
