"""Pointers in memory and as integers: the checks around storing and
loading pointers (byte.py holds the bytes themselves), and `ptrtoint` /
`ptrtoaddr` (the address, addresses.py).

A pointer loaded from the caller's memory points to some non-local block,
at any offset: an argument's, a global's, or one of the blocks reserved for
loaded pointers (`NonLocal.add_loaded_blocks`, one per pointer load, as
Alive2). A side that loads more pointers than were reserved (a load in an
unrolled loop) is refused: fewer blocks than loads would leave out inputs.

A pointer to a local block stored where the caller's memory may be is
refused: the final memory would hold a dangling local pointer, whose
refinement (Alive2's `Pointer::refined` on local blocks) is not modelled.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Instr
from veriopt.ir.types import IntType, PtrType, Type, VectorType
from veriopt.translation.ir_smt.memory import addresses
from veriopt.translation.ir_smt.memory.pointers import OFF_BITS, PTR_BITS, bid_of, is_local
from veriopt.translation.ir_smt.registry import opcode
from veriopt.translation.ir_smt.values import Lane, lanes, map_lanes


def pointer_lanes(ty: Type) -> int:
    """How many pointers a value of type `ty` holds."""
    if isinstance(ty, PtrType):
        return 1
    elems = getattr(ty, "fields", None)
    if elems is not None:
        return sum(pointer_lanes(f) for f in elems)
    if hasattr(ty, "elem"):
        return ty.count * pointer_lanes(ty.elem)
    return 0


def count_loaded(ctx, ty: Type) -> None:
    shared = ctx.inputs.memory
    shared.pointer_loads += pointer_lanes(ty)
    if shared.pointer_loads > shared.loaded_blocks:
        raise Unsupported("more pointer loads than blocks reserved for them (a loop?)")


def check_stored(ctx, val, ptr: Lane) -> None:
    """Refuse a store that may put a local pointer where the caller's
    memory may be."""
    into_caller = z3.Not(is_local(bid_of(ptr.v)))
    local = z3.Or([z3.And(z3.Not(lane.p), is_local(bid_of(lane.v))) for lane in lanes(val)
                   if lane.v.size() == PTR_BITS] or [z3.BoolVal(False)])
    if addresses.may(ctx, z3.And(z3.Not(ptr.p), into_caller, local)):
        raise Unsupported("storing a pointer to a local block where the caller's memory may be")
    if addresses.may(ctx, local):
        ctx.memory.local_ptr_bytes = True


def check_copied(ctx, dst: Lane) -> None:
    """memcpy/memmove may copy a local pointer's bytes: refuse it where the
    caller's memory may be."""
    if ctx.memory.local_ptr_bytes and \
            addresses.may(ctx, z3.And(z3.Not(dst.p), z3.Not(is_local(bid_of(dst.v))))):
        raise Unsupported("copying a pointer to a local block where the caller's memory may be")


def _to_width(addr: z3.BitVecRef, width: int) -> z3.BitVecRef:
    if width < OFF_BITS:
        return z3.Extract(width - 1, 0, addr)
    return z3.ZeroExt(width - OFF_BITS, addr) if width > OFF_BITS else addr


@opcode("ptrtoint", "ptrtoaddr")
def _ptrtoint(ctx, instr: Instr):
    """The pointer's address, truncated or zero-extended (poison if the
    pointer is)."""
    src_ty = instr.operands[0].type
    if getattr(src_ty.scalar(), "addrspace", 0):
        raise Unsupported(f"{instr.opcode} from address space {src_ty.scalar().addrspace}")
    to = instr.type.scalar() if isinstance(instr.type, VectorType) else instr.type
    assert isinstance(to, IntType)
    return map_lanes(lambda lane: Lane(_to_width(addresses.address(ctx.memory, lane.v, True), to.width),
                                       lane.p), ctx.op(0))
