"""Pointers as lanes: `block id ++ offset` in one bit-vector, so every
lane-generic instruction (select, phi, freeze, insertelement, ...) moves
pointers without a special case. The top bit of the block id marks a local
block (an alloca of this function); block 0 is null.
"""
from __future__ import annotations

import z3

from veriopt.ir.types import ArrayType, PtrType, StructType, Type, VectorType

BID_BITS = 8
OFF_BITS = 64
PTR_BITS = BID_BITS + OFF_BITS
LOCAL_BIT = 1 << (BID_BITS - 1)
MAX_LOCAL_BLOCKS = LOCAL_BIT - 1


def bid_of(ptr: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(PTR_BITS - 1, OFF_BITS, ptr)


def off_of(ptr: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(OFF_BITS - 1, 0, ptr)


def make_ptr(bid: z3.BitVecRef, off: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Concat(bid, off)


def is_local(bid: z3.BitVecRef) -> z3.BoolRef:
    return z3.Extract(BID_BITS - 1, BID_BITS - 1, bid) == 1


def local_bid(index: int) -> z3.BitVecRef:
    return z3.BitVecVal(LOCAL_BIT | index, BID_BITS)


def nonlocal_bid(index: int) -> z3.BitVecRef:
    return z3.BitVecVal(index, BID_BITS)


def describe(value: int) -> str:
    """alive-tv's spelling of a concrete pointer (without the address)."""
    bid, off = value >> OFF_BITS, value & ((1 << OFF_BITS) - 1)
    if off >= 1 << (OFF_BITS - 1):
        off -= 1 << OFF_BITS
    if bid == 0 and off == 0:
        return "null"
    kind = "local" if bid & LOCAL_BIT else "non-local"
    return f"pointer({kind}, block_id={bid & ~LOCAL_BIT}, offset={off})"


def has_pointer(ty: Type) -> bool:
    """Does a value of type `ty` hold a pointer anywhere?"""
    if isinstance(ty, PtrType):
        return True
    if isinstance(ty, (VectorType, ArrayType)):
        return has_pointer(ty.elem)
    if isinstance(ty, StructType):
        return any(has_pointer(f) for f in ty.fields)
    return False
