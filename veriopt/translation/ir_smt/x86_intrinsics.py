"""x86 SIMD integer intrinsics (`llvm.x86.*`: SSE2, SSSE3, SSE4.1, AVX2,
AVX-512), lane by lane as Intel's Intrinsics Guide describes them.

x86 intrinsic names are not type-mangled: every width is its own name, so
each family registers its full names. The set is the one Alive2 models
(its X86IntrinBinOp and X86IntrinTerOp, pternlog included), plus pmulhrsw
and SSE4.1's pblendvb, with Alive2's poison rules, since alive-tv is the
referee: a result lane is poison when an input lane it is computed from
is poison; a poison lane in the low 64 bits of a shift's count vector
poisons the whole result; `pshufb` and `pblendvb` take poison from the
lanes they might select, even where the mask zeroes or picks the other
one (Alive2 does; it is the stricter reading for the target).

The semantics are checked against this machine's CPU through LLVM's JIT in
tests/translation/test_x86_intrinsics.py.
"""
from __future__ import annotations

from collections.abc import Callable

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.registry import intrinsic
from veriopt.translation.ir_smt.values import Lane, SVal

Expr = z3.BitVecRef


def _names(family: str, sse: list[str], avx2: list[str], avx512: list[str]) -> list[str]:
    """`llvm.x86.<set>.<family>.<suffix>` for each instruction-set spelling."""
    out = [f"llvm.x86.{s}" for s in sse]
    out += [f"llvm.x86.avx2.{family}.{s}" for s in avx2]
    out += [f"llvm.x86.avx512.{family}.{s}" for s in avx512]
    return out


def _vec(ctx, i: int) -> list[Lane]:
    val = ctx.op(i)
    return [val] if isinstance(val, Lane) else list(val)


def _bv(value: int, width: int) -> Expr:
    return z3.BitVecVal(value % (1 << width), width)


def _any(lanes: list[Lane]) -> z3.BoolRef:
    return z3.Or([lane.p for lane in lanes])


def _callee_op(instr) -> str:
    """`llvm.x86.avx2.psrl.w` -> `psrl`."""
    return instr.extra["callee"].split(".")[3]


# ---------------------------------------------------------------- shifts

def _shift(kind: str, a: Expr, amount: Expr, too_big: z3.BoolRef) -> Expr:
    """One lane shifted by `amount` (already the lane's width); counts of
    the lane width or more give 0 (logical) or the sign fill (arithmetic)."""
    w = a.size()
    if kind == "l":
        return z3.If(too_big, _bv(0, w), z3.LShR(a, amount))
    if kind == "a":
        sign = z3.If(a < 0, _bv(-1, w), _bv(0, w))
        return z3.If(too_big, sign, a >> amount)
    return z3.If(too_big, _bv(0, w), a << amount)


def _kind(op: str) -> str:
    """psrl* -> l, psra* -> a, psll* -> left."""
    return {"psrl": "l", "psra": "a", "psll": "s"}[op[:4]]


def _fit(count: Expr, w: int) -> Expr:
    """The count at the lane's width (only read when it is below w)."""
    if count.size() == w:
        return count
    if count.size() > w:
        return z3.Extract(w - 1, 0, count)
    return z3.ZeroExt(w - count.size(), count)


_VEC_COUNT = (_names("psrl", ["sse2.psrl.w", "sse2.psrl.d", "sse2.psrl.q"], ["w", "d", "q"],
                     ["w.512", "d.512", "q.512"])
              + _names("psra", ["sse2.psra.w", "sse2.psra.d"], ["w", "d"],
                       ["q.128", "q.256", "w.512", "d.512", "q.512"])
              + _names("psll", ["sse2.psll.w", "sse2.psll.d", "sse2.psll.q"], ["w", "d", "q"],
                       ["w.512", "d.512", "q.512"]))


@intrinsic(*_VEC_COUNT)
def _shift_by_vector(ctx, instr) -> SVal:
    """psrl/psra/psll: every lane shifted by the count in the low 64 bits of
    the second operand; a poison lane there poisons the whole result."""
    kind = _kind(_callee_op(instr))
    a, count = _vec(ctx, 0), _vec(ctx, 1)
    w = a[0].v.size()
    low = count[:64 // count[0].v.size()]
    c64 = z3.Concat(*[lane.v for lane in reversed(low)]) if len(low) > 1 else low[0].v
    too_big = z3.UGE(c64, _bv(w, 64))
    amount = _fit(c64, w)
    cp = _any(low)
    return tuple(Lane(_shift(kind, x.v, amount, too_big), z3.Or(cp, x.p)) for x in a)


_IMM_COUNT = (_names("psrli", ["sse2.psrli.w", "sse2.psrli.d", "sse2.psrli.q"], ["w", "d", "q"],
                     ["w.512", "d.512", "q.512"])
              + _names("psrai", ["sse2.psrai.w", "sse2.psrai.d"], ["w", "d"],
                       ["w.512", "d.512", "q.128", "q.256", "q.512"])
              + _names("pslli", ["sse2.pslli.w", "sse2.pslli.d", "sse2.pslli.q"], ["w", "d", "q"],
                       ["w.512", "d.512", "q.512"]))


@intrinsic(*_IMM_COUNT)
def _shift_by_scalar(ctx, instr) -> SVal:
    """psrli/psrai/pslli: every lane shifted by one i32 count."""
    kind = _kind(_callee_op(instr))
    a, count = _vec(ctx, 0), ctx.op(1)
    w = a[0].v.size()
    too_big = z3.UGE(count.v, _bv(w, 32))
    amount = _fit(count.v, w)
    return tuple(Lane(_shift(kind, x.v, amount, too_big), z3.Or(count.p, x.p)) for x in a)


_PER_LANE = (_names("psrlv", [], ["d", "d.256", "q", "q.256"],
                    ["d.512", "q.512", "w.128", "w.256", "w.512"])
             + _names("psrav", [], ["d", "d.256"],
                      ["d.512", "q.128", "q.256", "q.512", "w.128", "w.256", "w.512"])
             + _names("psllv", [], ["d", "d.256", "q", "q.256"],
                      ["d.512", "q.512", "w.128", "w.256", "w.512"]))


def _lanewise(ctx, fn: Callable[[Expr, Expr], Expr]) -> SVal:
    a, b = _vec(ctx, 0), _vec(ctx, 1)
    return tuple(Lane(fn(x.v, y.v), z3.Or(x.p, y.p)) for x, y in zip(a, b))


@intrinsic(*_PER_LANE)
def _shift_per_lane(ctx, instr) -> SVal:
    """psrlv/psrav/psllv: lane i shifted by count lane i."""
    kind = _kind(_callee_op(instr))
    return _lanewise(ctx, lambda a, b: _shift(kind, a, b, z3.UGE(b, _bv(a.size(), a.size()))))


# ---------------------------------------------------------------- vertical

def _pavg(a: Expr, b: Expr) -> Expr:
    """Rounding average: (a + b + 1) >> 1 without overflow."""
    w = a.size()
    s = z3.ZeroExt(1, a) + z3.ZeroExt(1, b) + _bv(1, w + 1)
    return z3.Extract(w, 1, s)


def _psign(a: Expr, b: Expr) -> Expr:
    w = a.size()
    return z3.If(b == 0, _bv(0, w), z3.If(b < 0, -a, a))


def _mul_high(signed: bool) -> Callable[[Expr, Expr], Expr]:
    ext = z3.SignExt if signed else z3.ZeroExt

    def fn(a: Expr, b: Expr) -> Expr:
        w = a.size()
        return z3.Extract(2 * w - 1, w, ext(w, a) * ext(w, b))
    return fn


def _pmulhrs(a: Expr, b: Expr) -> Expr:
    """Signed 16x16 product, rounded at bit 14: ((a*b >> 14) + 1) >> 1."""
    t = z3.Extract(17, 0, (z3.SignExt(16, a) * z3.SignExt(16, b)) >> 14) + 1
    return z3.Extract(16, 1, t)


_VERTICAL: dict[str, Callable[[Expr, Expr], Expr]] = {
    "pavg": _pavg, "psign": _psign, "pmulh": _mul_high(True), "pmulhu": _mul_high(False),
    "pmul": _pmulhrs,
}

intrinsic(*_names("pavg", ["sse2.pavg.b", "sse2.pavg.w"], ["b", "w"], ["b.512", "w.512"]),
          *_names("psign", ["ssse3.psign.b.128", "ssse3.psign.w.128", "ssse3.psign.d.128"],
                  ["b", "w", "d"], []),
          *_names("pmulh", ["sse2.pmulh.w"], ["w"], ["w.512"]),
          *_names("pmulhu", ["sse2.pmulhu.w"], ["w"], ["w.512"]),
          *_names("pmul", ["ssse3.pmul.hr.sw.128"], ["hr.sw"], ["hr.sw.512"]),
          )(lambda ctx, instr: _lanewise(ctx, _VERTICAL[_callee_op(instr)]))


# ---------------------------------------------------------------- horizontal

def _sat(v: Expr, w: int, signed: bool) -> Expr:
    """A wider value saturated to w bits (signed or unsigned target range;
    the wider value is read as signed either way)."""
    big = v.size()
    lo, hi = ((-(1 << (w - 1)), (1 << (w - 1)) - 1) if signed else (0, (1 << w) - 1))
    return z3.If(v <= _bv(lo, big), _bv(lo, w),
                 z3.If(v >= _bv(hi, big), _bv(hi, w), z3.Extract(w - 1, 0, v)))


def _add_sat(a: Expr, b: Expr) -> Expr:
    return _sat(z3.SignExt(1, a) + z3.SignExt(1, b), a.size(), True)


def _sub_sat(a: Expr, b: Expr) -> Expr:
    return _sat(z3.SignExt(1, a) - z3.SignExt(1, b), a.size(), True)


def _groups(lanes: list[Lane]) -> list[list[Lane]]:
    """The 128-bit blocks that x86 horizontal and pack operations work in."""
    n = 128 // lanes[0].v.size()
    return [lanes[i:i + n] for i in range(0, len(lanes), n)]


@intrinsic(*_names("phadd", ["ssse3.phadd.w.128", "ssse3.phadd.d.128", "ssse3.phadd.sw.128"],
                   ["w", "d", "sw"], []),
           *_names("phsub", ["ssse3.phsub.w.128", "ssse3.phsub.d.128", "ssse3.phsub.sw.128"],
                   ["w", "d", "sw"], []))
def _horizontal(ctx, instr) -> SVal:
    """In each 128-bit block: sums (differences) of adjacent pairs of a,
    then of b; `sw` saturates to signed 16 bits."""
    parts = instr.extra["callee"].split(".")
    sat = parts[4] == "sw"
    add = parts[3] == "phadd"
    fn = (_add_sat if sat else lambda x, y: x + y) if add else (_sub_sat if sat else
                                                                  lambda x, y: x - y)
    a, b = _vec(ctx, 0), _vec(ctx, 1)
    out: list[Lane] = []
    for ga, gb in zip(_groups(a), _groups(b)):
        for g in (ga, gb):
            out += [Lane(fn(g[i].v, g[i + 1].v), z3.Or(g[i].p, g[i + 1].p))
                    for i in range(0, len(g), 2)]
    return tuple(out)


# ---------------------------------------------------------------- multiply-add

@intrinsic(*_names("pmadd", ["sse2.pmadd.wd", "ssse3.pmadd.ub.sw.128"], ["wd", "ub.sw"], []),
           "llvm.x86.avx512.pmaddw.d.512", "llvm.x86.avx512.pmaddubs.w.512")
def _pmadd(ctx, instr) -> SVal:
    """pmaddwd: signed 16x16 products, adjacent pairs summed in 32 bits
    (wrapping). pmaddubsw: unsigned bytes of a times signed bytes of b,
    adjacent pairs summed with signed 16-bit saturation."""
    a, b = _vec(ctx, 0), _vec(ctx, 1)
    bytes_ = a[0].v.size() == 8
    out: list[Lane] = []
    for i in range(0, len(a), 2):
        a1, a2, b1, b2 = a[i], a[i + 1], b[i], b[i + 1]
        p = z3.Or(a1.p, a2.p, b1.p, b2.p)
        if bytes_:
            m1 = z3.ZeroExt(8, a1.v) * z3.SignExt(8, b1.v)
            m2 = z3.ZeroExt(8, a2.v) * z3.SignExt(8, b2.v)
            out.append(Lane(_add_sat(m1, m2), p))
        else:
            v = (z3.SignExt(16, a1.v) * z3.SignExt(16, b1.v)
                 + z3.SignExt(16, a2.v) * z3.SignExt(16, b2.v))
            out.append(Lane(v, p))
    return tuple(out)


@intrinsic(*_names("psad", ["sse2.psad.bw"], ["bw"], ["bw.512"]))
def _psad(ctx, instr) -> SVal:
    """Sum of absolute differences of unsigned bytes, per 8 bytes, as i64."""
    a, b = _vec(ctx, 0), _vec(ctx, 1)
    out: list[Lane] = []
    for j in range(0, len(a), 8):
        total = _bv(0, 16)
        for x, y in zip(a[j:j + 8], b[j:j + 8]):
            d = z3.ZeroExt(8, x.v) - z3.ZeroExt(8, y.v)
            total = total + z3.If(d < 0, -d, d)
        out.append(Lane(z3.ZeroExt(48, total), _any(a[j:j + 8] + b[j:j + 8])))
    return tuple(out)


# ---------------------------------------------------------------- packs

@intrinsic("llvm.x86.sse2.packsswb.128", "llvm.x86.sse2.packssdw.128",
           "llvm.x86.sse2.packuswb.128", "llvm.x86.sse41.packusdw",
           *[f"llvm.x86.avx2.{op}" for op in ("packsswb", "packssdw", "packuswb", "packusdw")],
           *[f"llvm.x86.avx512.{op}.512" for op in ("packsswb", "packssdw", "packuswb",
                                                     "packusdw")])
def _pack(ctx, instr) -> SVal:
    """Narrow each lane to half its width with signed (packss) or unsigned
    (packus) saturation; in each 128-bit block, a's lanes then b's."""
    signed = _callee_op(instr).startswith("packss")
    a, b = _vec(ctx, 0), _vec(ctx, 1)
    w = a[0].v.size() // 2
    out: list[Lane] = []
    for ga, gb in zip(_groups(a), _groups(b)):
        out += [Lane(_sat(x.v, w, signed), x.p) for x in ga + gb]
    return tuple(out)


# ---------------------------------------------------------------- byte selects

def _select(index: Expr, lanes: list[Lane]) -> Lane:
    """lanes[index] for a symbolic index below len(lanes)."""
    v, p = lanes[0].v, lanes[0].p
    for k in range(1, len(lanes)):
        hit = index == _bv(k, index.size())
        v, p = z3.If(hit, lanes[k].v, v), z3.If(hit, lanes[k].p, p)
    return Lane(v, p)


@intrinsic("llvm.x86.ssse3.pshuf.b.128", "llvm.x86.avx2.pshuf.b", "llvm.x86.avx512.pshuf.b.512")
def _pshufb(ctx, instr) -> SVal:
    """Byte i = a[block(i) + (b[i] & 15)], or 0 when b[i]'s high bit is set."""
    a, b = _vec(ctx, 0), _vec(ctx, 1)
    out: list[Lane] = []
    for i, m in enumerate(b):
        base = i & ~15
        sel = _select(z3.Extract(3, 0, m.v), a[base:base + 16])
        v = z3.If(z3.Extract(7, 7, m.v) == 0, sel.v, _bv(0, 8))
        out.append(Lane(v, z3.Or(m.p, sel.p)))
    return tuple(out)


@intrinsic("llvm.x86.sse41.pblendvb", "llvm.x86.avx2.pblendvb")
def _pblendvb(ctx, instr) -> SVal:
    """Byte i = b[i] when the high bit of mask byte i is set, else a[i]."""
    a, b, m = _vec(ctx, 0), _vec(ctx, 1), _vec(ctx, 2)
    return tuple(Lane(z3.If(z3.Extract(7, 7, k.v) == 0, x.v, y.v), z3.Or(x.p, y.p, k.p))
                 for x, y, k in zip(a, b, m))


@intrinsic(*[f"llvm.x86.avx512.pternlog.{e}.{w}" for e in "dq" for w in (128, 256, 512)])
def _pternlog(ctx, instr) -> SVal:
    """Bitwise ternary logic: result bit = imm8 bit number (a<<2 | b<<1 | c)
    of the three operands' bits; a lane is poison if any input lane is."""
    imm = instr.operands[3]
    if not hasattr(imm, "value"):
        raise Unsupported(f"non-constant immediate of {instr.extra['callee']}")
    a, b, c = _vec(ctx, 0), _vec(ctx, 1), _vec(ctx, 2)

    def logic(x: Expr, y: Expr, z: Expr) -> Expr:
        terms = [(x if k & 4 else ~x) & (y if k & 2 else ~y) & (z if k & 1 else ~z)
                 for k in range(8) if (imm.value >> k) & 1]
        out = _bv(0, x.size())
        for t in terms:
            out = out | t
        return out
    return tuple(Lane(logic(x.v, y.v, z.v), z3.Or(x.p, y.p, z.p)) for x, y, z in zip(a, b, c))
