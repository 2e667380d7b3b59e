"""Registry builders for `alloca`, `load`, `store`, `getelementptr`, and
`icmp` on pointers (docs/memory.md). They reach the side's memory through
`ctx.memory` and report UB through `ctx.add_ub`.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Instr, IntConst
from veriopt.ir.types import ArrayType, PtrType, StructType, Type, VectorType
from veriopt.translation.ir_smt.encoding import fresh_name
from veriopt.translation.ir_smt.memory import addresses, pointer_bytes
from veriopt.translation.ir_smt.memory.effects import effects_ub
from veriopt.translation.ir_smt.memory.layout import DataLayout, from_bytes, to_bytes
from veriopt.translation.ir_smt.memory.pointers import (
    OFF_BITS,
    bid_of,
    has_pointer,
    is_local,
    make_ptr,
    off_of,
)
from veriopt.translation.ir_smt.registry import OPCODES, opcode
from veriopt.translation.ir_smt.values import (
    Lane,
    bool_to_bv,
    free_constants,
    lanes,
    map_lanes,
    zip_lanes,
)

F = z3.BoolVal(False)

def _fn_attrs(ctx) -> None:
    if "null_pointer_is_valid" in ctx.fn.fn_attrs:   # null is a block like the others
        ctx.memory.null_valid = True


def _plain_access(ctx, instr: Instr, ty: Type) -> int:
    """Refuse what is not modelled; the number of bytes accessed."""
    for key in ("atomic", "volatile"):
        if instr.extra.get(key):
            raise Unsupported(f"{key} {instr.opcode}")
    _fn_attrs(ctx)
    return DataLayout.of(ctx.fn).store_size(ty)


def check_access(ctx, ptr: Lane, nbytes: int, align: int, write: bool = False) -> None:
    """UB unless the pointer is not poison and the access is defined (an
    access of no bytes, of `{}`, does nothing: alive-tv)."""
    if nbytes == 0:
        return
    effects_ub(ctx, ptr, write)
    ctx.add_ub(z3.Or(ptr.p, z3.Not(ctx.memory.accessible(ptr.v, nbytes, align, write))))


@opcode("alloca")
def _alloca(ctx, instr: Instr) -> Lane:
    extra = instr.extra
    if extra.get("addrspace"):
        raise Unsupported("alloca in an address space other than 0")
    if extra.get("inalloca") or extra.get("swifterror"):
        raise Unsupported("inalloca/swifterror alloca")
    count = extra.get("count")
    n = 1
    elem = DataLayout.of(ctx.fn).alloc_size(extra["alloc_type"])
    if count is not None:
        if not isinstance(count, IntConst):
            return Lane(ctx.memory.alloca(_variable_size(ctx, count, elem), extra["align"],
                                          ctx.reach), z3.BoolVal(False))
        n = count.value % (1 << count.type.width)
    return Lane(ctx.memory.alloca(n * elem, extra["align"], ctx.reach), z3.BoolVal(False))


def _variable_size(ctx, count, elem: int) -> z3.BitVecRef:
    """`alloca T, iN %n`: %n (zero-extended) elements; UB if %n is poison,
    undef, or the size is 2^63 bytes or more (alive-tv: `alloca i32, i64 2^61` is UB,
    `alloca i8, i32 -1` is not)."""
    if any(i.opcode == "call" and not str(i.extra.get("callee", "")).startswith("llvm.")
           for i in ctx.fn.instructions()):
        raise Unsupported("variable-size alloca in a function with calls")
    n = ctx.use(count)
    wide = z3.ZeroExt(128 - n.v.size(), n.v) * z3.BitVecVal(elem, 128)
    # an undef count is UB too (alive-tv: `alloca i8, i8 undef`)
    ctx.add_ub(z3.Or(n.p, ctx.undef_dependence(count), z3.UGE(wide, z3.BitVecVal(1 << 63, 128))))
    return z3.Extract(OFF_BITS - 1, 0, wide)


@opcode("load")
def _load(ctx, instr: Instr):
    nbytes = _plain_access(ctx, instr, instr.type)
    ptr = ctx.op(0)
    check_access(ctx, ptr, nbytes, instr.extra["align"])
    if has_pointer(instr.type):
        pointer_bytes.count_loaded(ctx, instr.type)
    asm = ctx.side == ctx.inputs.memory.asm_side   # integer loads of pointers read addresses
    val = from_bytes(ctx.memory.read(ptr.v, nbytes), instr.type, ctx.little_endian,
                     DataLayout.of(ctx.fn),
                     (lambda p: addresses.address(ctx.memory, p, True)) if asm else None)
    return _load_metadata(ctx, instr, _fresh_undef(ctx, val))


LOAD_METADATA = {"nonnull", "noundef"}


def handles_metadata(kind: str) -> bool:
    """Load metadata with a meaning the load builder models."""
    return kind in LOAD_METADATA


def _load_metadata(ctx, instr: Instr, val):
    """`!nonnull`: a null result is poison; `!noundef`: a poison result is
    UB (LangRef; alive-tv agrees on both, and on the pair: null is UB)."""
    meta = instr.extra.get("metadata", ())
    if "nonnull" in meta:
        if not isinstance(instr.type, PtrType):
            raise Unsupported(f"!nonnull metadata on a load of {instr.type}")
        # null as Alive2's `isNull`: address 0 (alive-tv: `!nonnull` is
        # `select (icmp eq %y, null), poison, %y`)
        val = Lane(val.v, z3.Or(val.p, addresses.address(ctx.memory, val.v, True) == 0))
    if "noundef" in meta:
        if any(str(c) in {str(u) for u in ctx.undef_vars}
               for lane in lanes(val) for c in free_constants(lane.v)):
            raise Unsupported("!noundef metadata on a load that may read undef")
        ctx.add_ub(z3.Or([lane.p for lane in lanes(val)]))
    return val


def _fresh_undef(ctx, val):
    """Undef stays undef in memory: every load of bytes stored from undef
    reads fresh copies (alive-tv: two loads of a stored undef may differ),
    and, as the load's own copies, every use of the result reads anew."""
    undef = {str(v): v for v in ctx.undef_vars}
    if not undef:
        return val
    found = {str(c): c for lane in lanes(val) for part in (lane.v, lane.p)
             for c in free_constants(part) if str(c) in undef}
    if not found:
        return val
    subst = []
    for var in found.values():
        copy = z3.Const(fresh_name(f"{ctx.side}:undef"), var.sort())
        ctx.undef_vars.append(copy)
        subst.append((var, copy))
    return map_lanes(lambda lane: Lane(z3.substitute(lane.v, *subst),
                                       z3.substitute(lane.p, *subst)), val)


@opcode("store")
def _store(ctx, instr: Instr) -> None:
    ty = instr.operands[0].type
    nbytes = _plain_access(ctx, instr, ty)
    val, ptr = ctx.op(0), ctx.op(1)
    check_access(ctx, ptr, nbytes, instr.extra["align"], write=True)
    if has_pointer(ty):
        pointer_bytes.check_stored(ctx, val, ptr)
    ctx.memory.write(ctx.reach, ptr.v, to_bytes(val, ty, ctx.little_endian, DataLayout.of(ctx.fn)))


def _no_signed_overflow_mul(a: z3.BitVecRef, b: z3.BitVecRef) -> z3.BoolRef:
    w = a.size()
    wide = z3.SignExt(w, a) * z3.SignExt(w, b)
    return z3.SignExt(w, z3.Extract(w - 1, 0, wide)) == wide


def _no_signed_overflow_add(a: z3.BitVecRef, b: z3.BitVecRef) -> z3.BoolRef:
    return z3.SignExt(1, a) + z3.SignExt(1, b) == z3.SignExt(1, a + b)


def _no_unsigned_overflow_mul(a: z3.BitVecRef, b: z3.BitVecRef) -> z3.BoolRef:
    w = a.size()
    return z3.Extract(2 * w - 1, w, z3.ZeroExt(w, a) * z3.ZeroExt(w, b)) == 0


def _no_unsigned_overflow_add(a: z3.BitVecRef, b: z3.BitVecRef) -> z3.BoolRef:
    return z3.ULE(a, a + b)


def _to_offset_width(v: z3.BitVecRef) -> tuple[z3.BitVecRef, z3.BoolRef]:
    """The index sign-extended or truncated to 64 bits, and whether it fits."""
    w = v.size()
    if w < OFF_BITS:
        return z3.SignExt(OFF_BITS - w, v), z3.BoolVal(True)
    if w == OFF_BITS:
        return v, z3.BoolVal(True)
    low = z3.Extract(OFF_BITS - 1, 0, v)
    return low, z3.SignExt(w - OFF_BITS, low) == v


@opcode("getelementptr")
def _gep(ctx, instr: Instr) -> Lane:
    flags = instr.flags
    if instr.extra.get("source_type") is None:
        raise Unsupported("getelementptr constant expression")
    if isinstance(instr.type, VectorType):
        raise Unsupported("vector getelementptr")
    if "inrange" in flags:
        raise Unsupported("getelementptr inrange")
    _fn_attrs(ctx)
    inbounds = "inbounds" in flags
    nuw = "nuw" in flags
    if not inbounds and ("nusw" in flags or nuw):
        raise Unsupported(f"getelementptr {' '.join(sorted(flags))} (needs addresses)")
    base = ctx.op(0)
    if isinstance(base, tuple):
        raise Unsupported("vector getelementptr")
    bid, off = bid_of(base.v), off_of(base.v)
    poison = [base.p]
    if inbounds:
        poison.append(z3.Not(ctx.memory.in_bounds(base.v)))
    ty: Type = instr.extra["source_type"]
    dl = DataLayout.of(ctx.fn)
    total = z3.BitVecVal(0, OFF_BITS)   # the offsets added so far, without the base
    for k in range(1, len(instr.operands)):
        if isinstance(ty, StructType) and k > 1:
            field = instr.operands[k]
            if not isinstance(field, IntConst):
                raise Unsupported("getelementptr into a struct with a variable index")
            scale, idx = dl.field_offsets(ty)[field.value], Lane(z3.BitVecVal(1, 64), F)
            ty = ty.fields[field.value]
        else:
            if k == 1:
                scale = dl.alloc_size(ty)
            elif isinstance(ty, ArrayType):
                ty = ty.elem
                scale = dl.alloc_size(ty)
            else:
                raise Unsupported(f"getelementptr into {ty}")
            idx = ctx.op(k)
        if isinstance(idx, tuple):
            raise Unsupported("vector getelementptr")
        val, fits = _to_offset_width(idx.v)
        mult = z3.BitVecVal(scale, OFF_BITS)
        inc = mult * val
        poison.append(idx.p)
        if inbounds:
            if scale:
                poison.append(z3.Not(fits))
            poison.append(z3.Not(_no_signed_overflow_mul(mult, val)))
            poison.append(z3.Not(_no_signed_overflow_add(off, inc)))
            if nuw:
                # unsigned offset arithmetic; with the object in bounds, the
                # address does not wrap iff the step is not negative
                poison.append(z3.Not(_no_unsigned_overflow_mul(mult, val)))
                poison.append(z3.Not(_no_unsigned_overflow_add(total, inc)))
                poison.append(z3.Extract(OFF_BITS - 1, OFF_BITS - 1, inc) == 1)
        off = off + inc
        total = total + inc
        if inbounds:
            poison.append(z3.Not(ctx.memory.in_bounds(make_ptr(bid, off))))
    return Lane(make_ptr(bid, off), z3.Or(poison))


_int_icmp = OPCODES["icmp"]


@opcode("icmp")
def _icmp(ctx, instr: Instr):
    """Pointers within their blocks ([0, size]) compare by block and offset
    (alive-tv: one past the end of %a is not %b); otherwise by address,
    (addresses.py). Relational predicates are not modelled."""
    if not isinstance(instr.operands[0].type.scalar(), PtrType):
        return _int_icmp(ctx, instr)
    if instr.predicate not in ("eq", "ne"):
        raise Unsupported(f"icmp {instr.predicate} on pointers")
    a, b = ctx.op(0), ctx.op(1)

    def lane(x: Lane, y: Lane) -> Lane:
        eq = _pointer_eq(ctx, x, y)
        return Lane(bool_to_bv(eq if instr.predicate == "eq" else z3.Not(eq)), z3.Or(x.p, y.p))
    return zip_lanes(lane, a, b)


def _pointer_eq(ctx, x: Lane, y: Lane) -> z3.BoolRef:
    """By address (alive-tv: one past the end of @g1 may be @g2, and a
    target's alloca may be at the address of an argument, which in Alive2
    may be an integer cast to a pointer). The source chooses its locals'
    layout (alive-tv): it picks one where a pointer within one of its locals
    is no other pointer within its block, so those differ, unless the source
    also observes a local's address (addresses.py refuses that mix). (The
    result matters only where neither pointer is poison.)"""
    if z3.is_true(z3.simplify(x.v == y.v)):
        return z3.BoolVal(True)
    mem = ctx.memory
    same = addresses.address(mem, x.v) == addresses.address(mem, y.v)
    if ctx.side == "tgt" or not mem.locals:
        return same
    bx, by = bid_of(x.v), bid_of(y.v)
    lx, ly = is_local(bx), is_local(by)
    inside = z3.And(mem.in_bounds(x.v), mem.in_bounds(y.v))
    apart = z3.And(inside, z3.Or(lx, ly), bx != by)
    live = z3.And(z3.Not(x.p), z3.Not(y.p))
    if addresses.may(ctx, z3.And(live, z3.Or(lx, ly), z3.Not(inside))):
        mem.local_addresses_seen = True
    if not addresses.may(ctx, z3.And(live, apart, same)):   # the rule changes nothing
        return same
    mem.locals_kept_apart = True
    return z3.And(z3.Not(apart), same)
