"""One byte of memory, as Alive2's `Byte` (ir/memory.cpp): either a
non-pointer byte or a pointer byte, in one 77-bit vector.

    bit 76        1: a pointer byte
    pointer byte: [71:0] the pointer (block id ++ offset), [74:72] the
                  byte's index in the pointer, [75] poison
    other byte:   [7:0] data, [15:8] one poison bit per data bit,
                  [39:16] the width of the store that wrote it and the
                  byte's index in that store; [75:40] zero

A pointer stored to memory leaves pointer bytes, so a load of a pointer
gets the very pointer back (block and offset, not an address). An integer
load of a pointer byte is poison, a pointer load of non-pointer bytes is
null if they are all zero and poison otherwise, and the final memory
compares a pointer byte with a non-pointer byte only as "both zero" (null
and 0): alive-tv agrees on each (docs/memory.md).
"""
from __future__ import annotations

import z3

from veriopt.translation.ir_smt.memory.pointers import (
    BID_BITS,
    OFF_BITS,
    PTR_BITS,
    bid_of,
    describe,
    is_local,
)

BYTE_BITS = 77
INT_BITS = 40   # the bits a non-pointer byte uses
PTR_FLAG = BYTE_BITS - 1
PTR_POISON = BYTE_BITS - 2
POISON_BYTE = z3.BitVecVal(0xFF00, BYTE_BITS)


def int_byte(low40: z3.BitVecRef) -> z3.BitVecRef:
    """A non-pointer byte from its 40 bits (data, poison, store tag)."""
    return z3.ZeroExt(BYTE_BITS - INT_BITS, low40)


def ptr_byte(ptr: z3.BitVecRef, poison: z3.BoolRef, index: int) -> z3.BitVecRef:
    """Byte number `index` of pointer `ptr` (poison if the pointer is)."""
    return z3.Concat(z3.BitVecVal(1, 1), z3.If(poison, z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)),
                     z3.BitVecVal(index, 3), ptr)


def is_ptr(byte: z3.BitVecRef) -> z3.BoolRef:
    return z3.Extract(PTR_FLAG, PTR_FLAG, byte) == 1


def ptr_value(byte: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(PTR_BITS - 1, 0, byte)


def ptr_index(byte: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(PTR_BITS + 2, PTR_BITS, byte)


def ptr_poison(byte: z3.BitVecRef) -> z3.BoolRef:
    return z3.Extract(PTR_POISON, PTR_POISON, byte) == 1


def data_of(byte: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(7, 0, byte)


def poison_of(byte: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Extract(15, 8, byte)


def tag_of(byte: z3.BitVecRef) -> z3.BitVecRef:
    """(store width, index in the store) as one 24-bit value."""
    return z3.Extract(39, 16, byte)


def any_poison(byte: z3.BitVecRef) -> z3.BoolRef:
    """Alive2's `isPoison`: a poison pointer byte, or a non-pointer byte
    with any poison bit."""
    return z3.If(is_ptr(byte), ptr_poison(byte), poison_of(byte) != 0)


def without_poison(byte: z3.BitVecRef) -> z3.BitVecRef:
    """The byte with its poison bits cleared (pointer or not)."""
    mask = ((1 << BYTE_BITS) - 1) & ~(1 << PTR_POISON)
    cleared = byte & z3.BitVecVal(mask, BYTE_BITS)
    return z3.If(is_ptr(byte), cleared, byte & z3.BitVecVal(((1 << BYTE_BITS) - 1) & ~0xFF00,
                                                          BYTE_BITS))


def no_poison(byte: z3.BitVecRef) -> z3.BoolRef:
    return z3.Not(any_poison(byte))


def well_formed(byte: z3.BitVecRef, nonlocal_blocks: int) -> z3.BoolRef:
    """What an unknown byte of the caller's memory may be: a non-pointer
    byte (its unused bits zero), or a byte of a pointer into one of the
    first `nonlocal_blocks` non-local blocks, at any offset (Alive2: initial
    memory holds no pointer to a local block); no pointer if 0."""
    if not nonlocal_blocks:
        return z3.And(z3.Not(is_ptr(byte)), z3.Extract(PTR_FLAG - 1, INT_BITS, byte) == 0)
    bid = bid_of(ptr_value(byte))
    pointer = z3.And(z3.Not(is_local(bid)), z3.ULT(bid, z3.BitVecVal(nonlocal_blocks, BID_BITS)))
    plain = z3.Extract(PTR_FLAG - 1, INT_BITS, byte) == 0
    return z3.If(is_ptr(byte), pointer, plain)


def address_byte(byte: z3.BitVecRef, address) -> z3.BitVecRef:
    """Alive2's `castPtrToInt`: the byte of a pointer byte's address that
    its index names (`address` maps a pointer to its address)."""
    shift = z3.ZeroExt(OFF_BITS - 3, ptr_index(byte)) * 8
    return z3.Extract(7, 0, z3.LShR(address(ptr_value(byte)), shift))


def is_zero(byte: z3.BitVecRef) -> z3.BoolRef:
    """Alive2's `isZero`: a byte of null, or a non-pointer 0 (poison aside)."""
    return z3.If(is_ptr(byte), ptr_value(byte) == 0, data_of(byte) == 0)


def refined(src: z3.BitVecRef, tgt: z3.BitVecRef, ptr_eq=None, asm_address=None) -> z3.BoolRef:
    """Does the target's byte refine the source's (Alive2's
    `Byte::refined`)? Non-pointer bytes bit by bit (a poison source bit
    allows anything; the store-width tags are not compared: alive-tv,
    re-storing a loaded byte refines leaving it alone); pointer bytes by
    pointer (`ptr_eq`, equality by default) and index; a pointer byte
    against a non-pointer byte only where the source is poison or both are
    zero (null and 0)."""
    defined = ~poison_of(src)
    ints = z3.And((poison_of(tgt) & defined) == 0, ((data_of(src) ^ data_of(tgt)) & defined) == 0)
    same_ptr = (ptr_eq or (lambda a, b: a == b))(ptr_value(src), ptr_value(tgt))
    ptrs = z3.Or(ptr_poison(src), z3.And(z3.Not(ptr_poison(tgt)),
                                         ptr_index(src) == ptr_index(tgt), same_ptr))
    same_kind = z3.If(is_ptr(src), ptrs, ints)
    mixed = z3.Or(any_poison(src), z3.And(is_zero(src), no_poison(tgt), is_zero(tgt)))
    if asm_address is not None:   # the asm target: the address's byte refines a pointer byte
        mixed = z3.Or(mixed, z3.And(is_ptr(src), poison_of(tgt) == 0,
                                    data_of(tgt) == address_byte(src, asm_address)))
    return z3.If(is_ptr(src) == is_ptr(tgt), same_kind, mixed)


def show(byte: int) -> str:
    """A concrete byte as the counterexample prints it."""
    if byte >> PTR_FLAG & 1:
        if byte >> PTR_POISON & 1:
            return "poison"
        index = byte >> PTR_BITS & 7
        return f"{describe(byte & ((1 << PTR_BITS) - 1))}, byte offset={index}"
    value, poison = byte & 0xFF, (byte >> 8) & 0xFF
    if poison == 0xFF:
        return "poison"
    text = f"#x{value:02x}"
    if poison:
        text += f" (poison bits #x{poison:02x})"
    width, index = (byte >> 16) & 0xFFFF, (byte >> 32) & 0xFF
    if width % 8:
        text += f" / written with {width} bits / byte #{index}"
    return text
