"""Integer intrinsics: min/max, abs, bit counting, byte/bit reversal, funnel
shifts, saturating arithmetic, arithmetic with overflow, three-way compare,
vector reductions, and assume."""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.registry import intrinsic
from veriopt.translation.ir_smt.values import Lane, SVal, bool_to_bv, lanes, zip_lanes

F = z3.BoolVal(False)


def _lanewise(ctx, instr, fn, n_ops: int) -> SVal:
    ops = [ctx.op(i) for i in range(n_ops)]

    def lane(*xs: Lane) -> Lane:
        v, p = fn(*[x.v for x in xs])
        return Lane(v, z3.Or(*[x.p for x in xs], p))
    return zip_lanes(lane, *ops)


def _const_flag(instr, index: int) -> bool:
    """Immediate i1 arguments (abs, ctlz, cttz) must be constants."""
    arg = instr.operands[index]
    if not hasattr(arg, "value"):
        raise Unsupported(f"non-constant flag argument of {instr.extra['callee']}")
    return bool(arg.value)


def _register_binary(name: str, fn) -> None:
    intrinsic(name)(lambda ctx, instr: _lanewise(ctx, instr, lambda a, b: (fn(a, b), F), 2))


_register_binary("llvm.umin", lambda a, b: z3.If(z3.ULT(a, b), a, b))
_register_binary("llvm.umax", lambda a, b: z3.If(z3.UGT(a, b), a, b))
_register_binary("llvm.smin", lambda a, b: z3.If(a < b, a, b))
_register_binary("llvm.smax", lambda a, b: z3.If(a > b, a, b))


def _sat_add(a, b, signed):
    w = a.size()
    if signed:
        wide = z3.SignExt(1, a) + z3.SignExt(1, b)
        hi = z3.BitVecVal((1 << (w - 1)) - 1, w)
        lo = z3.BitVecVal(1 << (w - 1), w)
        return z3.If(wide > z3.SignExt(1, hi), hi, z3.If(wide < z3.SignExt(1, lo), lo, a + b))
    wide = z3.ZeroExt(1, a) + z3.ZeroExt(1, b)
    return z3.If(z3.Extract(w, w, wide) == 1, z3.BitVecVal(-1, w), a + b)


def _sat_sub(a, b, signed):
    w = a.size()
    if signed:
        wide = z3.SignExt(1, a) - z3.SignExt(1, b)
        hi = z3.BitVecVal((1 << (w - 1)) - 1, w)
        lo = z3.BitVecVal(1 << (w - 1), w)
        return z3.If(wide > z3.SignExt(1, hi), hi, z3.If(wide < z3.SignExt(1, lo), lo, a - b))
    return z3.If(z3.ULT(a, b), z3.BitVecVal(0, w), a - b)


_register_binary("llvm.uadd.sat", lambda a, b: _sat_add(a, b, False))
_register_binary("llvm.sadd.sat", lambda a, b: _sat_add(a, b, True))
_register_binary("llvm.usub.sat", lambda a, b: _sat_sub(a, b, False))
_register_binary("llvm.ssub.sat", lambda a, b: _sat_sub(a, b, True))


@intrinsic("llvm.ushl.sat", "llvm.sshl.sat")
def _shl_sat(ctx, instr):
    signed = instr.extra["callee"].startswith("llvm.sshl")

    def fn(a, b):
        w = a.size()
        poison = z3.UGE(b, z3.BitVecVal(w, w))
        shifted = a << b
        if signed:
            sat = z3.If(a < 0, z3.BitVecVal(1 << (w - 1), w), z3.BitVecVal((1 << (w - 1)) - 1, w))
            return z3.If((shifted >> b) == a, shifted, sat), poison
        return z3.If(z3.LShR(shifted, b) == a, shifted, z3.BitVecVal(-1, w)), poison
    return _lanewise(ctx, instr, fn, 2)


@intrinsic("llvm.abs")
def _abs(ctx, instr):
    int_min_poison = _const_flag(instr, 1)

    def fn(a):
        w = a.size()
        p = (a == z3.BitVecVal(1 << (w - 1), w)) if int_min_poison else F
        return z3.If(a < 0, -a, a), p
    return _lanewise(ctx, instr, fn, 1)


def _popcount(a):
    w = a.size()
    total = z3.BitVecVal(0, w)
    for i in range(w):
        total = total + z3.ZeroExt(w - 1, z3.Extract(i, i, a)) if w > 1 else z3.Extract(i, i, a)
    return total


def _ctlz(a):
    w = a.size()
    result = z3.BitVecVal(w, w) if w > 1 else z3.BitVecVal(1, 1)
    for i in range(w):  # the highest set bit wins: build from low to high
        result = z3.If(z3.Extract(i, i, a) == 1, z3.BitVecVal(w - 1 - i, w), result)
    return result


def _cttz(a):
    w = a.size()
    result = z3.BitVecVal(w, w) if w > 1 else z3.BitVecVal(1, 1)
    for i in range(w - 1, -1, -1):
        result = z3.If(z3.Extract(i, i, a) == 1, z3.BitVecVal(i, w), result)
    return result


intrinsic("llvm.ctpop")(lambda ctx, instr: _lanewise(ctx, instr, lambda a: (_popcount(a), F), 1))


@intrinsic("llvm.ctlz", "llvm.cttz")
def _count_zeros(ctx, instr):
    zero_poison = _const_flag(instr, 1)
    count = _ctlz if instr.extra["callee"].startswith("llvm.ctlz") else _cttz
    return _lanewise(ctx, instr, lambda a: (count(a), (a == 0) if zero_poison else F), 1)


@intrinsic("llvm.bswap")
def _bswap(ctx, instr):
    def fn(a):
        w = a.size()
        if w % 16:
            raise Unsupported(f"bswap of i{w}")
        parts = [z3.Extract(8 * i + 7, 8 * i, a) for i in range(w // 8)]
        return z3.Concat(*parts), F
    return _lanewise(ctx, instr, fn, 1)


@intrinsic("llvm.bitreverse")
def _bitreverse(ctx, instr):
    def fn(a):
        w = a.size()
        if w == 1:
            return a, F
        return z3.Concat(*[z3.Extract(i, i, a) for i in range(w)]), F
    return _lanewise(ctx, instr, fn, 1)


@intrinsic("llvm.fshl", "llvm.fshr")
def _funnel(ctx, instr):
    left = instr.extra["callee"].startswith("llvm.fshl")

    def fn(a, b, c):
        w = a.size()
        amount = z3.ZeroExt(w, z3.URem(c, z3.BitVecVal(w, w)))
        both = z3.Concat(a, b)
        if left:
            return z3.Extract(2 * w - 1, w, both << amount), F
        return z3.Extract(w - 1, 0, z3.LShR(both, amount)), F
    return _lanewise(ctx, instr, fn, 3)


def _overflow(kind: str, a, b):
    w = a.size()
    if kind == "sadd":
        return a + b, z3.SignExt(1, a) + z3.SignExt(1, b) != z3.SignExt(1, a + b)
    if kind == "uadd":
        return a + b, z3.ZeroExt(1, a) + z3.ZeroExt(1, b) != z3.ZeroExt(1, a + b)
    if kind == "ssub":
        return a - b, z3.SignExt(1, a) - z3.SignExt(1, b) != z3.SignExt(1, a - b)
    if kind == "usub":
        return a - b, z3.ULT(a, b)
    if kind == "smul":
        return a * b, z3.SignExt(w, a) * z3.SignExt(w, b) != z3.SignExt(w, a * b)
    return a * b, z3.ZeroExt(w, a) * z3.ZeroExt(w, b) != z3.ZeroExt(w, a * b)


@intrinsic("llvm.sadd.with.overflow", "llvm.uadd.with.overflow", "llvm.ssub.with.overflow",
           "llvm.usub.with.overflow", "llvm.smul.with.overflow", "llvm.umul.with.overflow")
def _with_overflow(ctx, instr):
    """Returns { result, overflow-bit }; poison operands poison both."""
    kind = instr.extra["callee"].split(".")[1]
    a, b = ctx.op(0), ctx.op(1)

    def lane(x: Lane, y: Lane):
        r, ov = _overflow(kind, x.v, y.v)
        p = z3.Or(x.p, y.p)
        return Lane(r, p), Lane(bool_to_bv(ov), p)

    if isinstance(a, Lane):
        r, ov = lane(a, b)
        return (r, ov)
    pairs = [lane(x, y) for x, y in zip(a, b)]
    return (tuple(r for r, _ in pairs), tuple(o for _, o in pairs))


@intrinsic("llvm.scmp", "llvm.ucmp")
def _three_way(ctx, instr):
    signed = instr.extra["callee"].startswith("llvm.scmp")
    a, b = ctx.op(0), ctx.op(1)
    out_w = instr.type.scalar().width

    def lane(x: Lane, y: Lane) -> Lane:
        lt = (x.v < y.v) if signed else z3.ULT(x.v, y.v)
        gt = (x.v > y.v) if signed else z3.UGT(x.v, y.v)
        v = z3.If(lt, z3.BitVecVal(-1, out_w), z3.If(gt, z3.BitVecVal(1, out_w),
                                                         z3.BitVecVal(0, out_w)))
        return Lane(v, z3.Or(x.p, y.p))
    return zip_lanes(lane, a, b)


_REDUCE = {
    "add": lambda a, b: a + b, "mul": lambda a, b: a * b,
    "and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b,
    "umin": lambda a, b: z3.If(z3.ULT(a, b), a, b), "umax": lambda a, b: z3.If(z3.UGT(a, b), a, b),
    "smin": lambda a, b: z3.If(a < b, a, b), "smax": lambda a, b: z3.If(a > b, a, b),
}


@intrinsic(*[f"llvm.vector.reduce.{k}" for k in _REDUCE])
def _reduce(ctx, instr):
    """Any poison lane poisons the reduction."""
    fn = _REDUCE[instr.extra["callee"].split(".")[3]]
    vec = lanes(ctx.op(0))
    acc = vec[0].v
    for lane in vec[1:]:
        acc = fn(acc, lane.v)
    return Lane(acc, z3.Or([lane.p for lane in vec]))


@intrinsic("llvm.assume", "llvm.assert")
def _assume(ctx, instr):
    """assume(false) or assume(poison) is UB. (`llvm.assert` is not an LLVM
    intrinsic; Alive2 reads it the same way, as a refinement-only check.)"""
    c = ctx.op(0)
    ctx.add_ub(z3.Or(c.p, c.v == 0))
    if instr.extra.get("bundles"):
        from veriopt.translation.ir_smt.assume_bundles import bundles_ub
        bundles_ub(ctx, instr.extra["bundles"])
    return None


@intrinsic("llvm.trap", "llvm.ubsantrap")
def _trap(ctx, instr):
    """The program stops here: not UB, but this path never returns."""
    ctx.stop_path()
    return None


@intrinsic("llvm.donothing", "llvm.sideeffect")
def _nothing(ctx, instr):
    return None


@intrinsic("llvm.expect", "llvm.expect.with.probability", "llvm.ssa.copy")
def _identity(ctx, instr):
    """Hints that return their first argument unchanged."""
    return ctx.op(0)


@intrinsic("llvm.vector.reverse")
def _reverse(ctx, instr):
    return tuple(reversed(ctx.op(0)))


def _const_int(instr, index: int) -> int:
    arg = instr.operands[index]
    if not hasattr(arg, "value"):
        raise Unsupported(f"non-constant immediate argument of {instr.extra['callee']}")
    return arg.value


@intrinsic("llvm.vector.splice.left", "llvm.vector.splice.right")
def _splice(ctx, instr):
    """concat(a, b)[k .. k+n): k = imm for `left`, k = n - imm for `right`
    (LLVM 22 spells the old negative immediates as `right`)."""
    a, b = list(ctx.op(0)), list(ctx.op(1))
    n = len(a)
    imm = _const_int(instr, 2)
    start = imm if instr.extra["callee"].startswith("llvm.vector.splice.left") else n - imm
    if not 0 <= start <= n:
        raise Unsupported("vector.splice immediate out of range")
    return tuple((a + b)[start:start + n])


@intrinsic("llvm.vector.extract")
def _subvector_extract(ctx, instr):
    vec = list(ctx.op(0))
    idx = _const_int(instr, 1)
    n = instr.type.count
    if idx + n > len(vec):
        raise Unsupported("vector.extract beyond the source vector")
    return tuple(vec[idx:idx + n])


@intrinsic("llvm.vector.insert")
def _subvector_insert(ctx, instr):
    vec, sub = list(ctx.op(0)), list(ctx.op(1))
    idx = _const_int(instr, 2)
    if idx + len(sub) > len(vec):
        raise Unsupported("vector.insert beyond the destination vector")
    return tuple(vec[:idx] + sub + vec[idx + len(sub):])


@intrinsic("llvm.stepvector", "llvm.experimental.stepvector")
def _stepvector(ctx, instr):
    from veriopt.translation.ir_smt.values import const_lane
    width = instr.type.scalar().width
    return tuple(const_lane(width, k) for k in range(instr.type.count))
