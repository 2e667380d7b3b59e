"""Module-level globals as non-local blocks both sides share (docs/memory.md):
one block each, of the type's allocation size, alive, writable unless
`constant`. A constant's bytes are its initializer; a variable's bytes at
entry are unknown (the program may have written them before the call).
"""
from __future__ import annotations

import re

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import (
    AggregateConst,
    GlobalRef,
    GlobalVar,
    IntConst,
    OpaqueConst,
    PoisonConst,
    Value,
    ZeroConst,
)
from veriopt.ir.types import ArrayType, IntType
from veriopt.translation.ir_smt.memory.layout import DataLayout, to_bytes
from veriopt.translation.ir_smt.memory.pointers import make_ptr, nonlocal_bid
from veriopt.translation.ir_smt.values import Lane, SVal, const_lane, poison_lane, shape


def _string_bytes(text: str) -> list[int]:
    """`c"ab\\0A"` -> [97, 98, 10]."""
    body = text[2:-1]
    out: list[int] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and re.fullmatch(r"[0-9A-Fa-f]{2}", body[i + 1:i + 3] or ""):
            out.append(int(body[i + 1:i + 3], 16))
            i += 3
        elif body[i] == "\\" and body[i + 1:i + 2] == "\\":
            out.append(92)
            i += 2
        else:
            out.append(ord(body[i]))
            i += 1
    return out


def constant_value(value: Value) -> SVal:
    """The value of a global's initializer (integers and aggregates of them)."""
    ty = value.type
    if isinstance(value, IntConst):
        return shape(ty, lambda t: const_lane(t.width, value.value))
    if isinstance(value, ZeroConst):
        return shape(ty, lambda t: const_lane(t.width, 0))
    if isinstance(value, PoisonConst):
        return shape(ty, lambda t: poison_lane(t.width))
    if isinstance(value, AggregateConst):
        return tuple(constant_value(e) for e in value.elems)
    if isinstance(value, OpaqueConst) and value.text.startswith('c"') \
            and isinstance(ty, ArrayType) and ty.elem == IntType(8):
        return tuple(const_lane(8, b) for b in _string_bytes(value.text))
    raise Unsupported(f"initializer {value} of a constant global")


def global_layout(var: GlobalVar, dl: DataLayout, little_endian: bool):
    """(size, alignment, initial bytes or None) of a global's block."""
    if var.addrspace:
        raise Unsupported(f"global @{var.name} in address space {var.addrspace}")
    size = dl.alloc_size(var.type)
    align = var.align or dl.align(var.type)
    data = None
    if var.constant and var.init is not None:
        data = to_bytes(constant_value(var.init), var.type, little_endian, dl)
    return size, align, data


def global_address(ctx, value: Value) -> Lane:
    """The pointer a `@g` operand stands for: offset 0 of its block."""
    if isinstance(value, GlobalRef):
        bid = ctx.inputs.memory.global_bids.get(value.name)
        if bid is not None:
            return Lane(make_ptr(nonlocal_bid(bid), z3.BitVecVal(0, 64)), z3.BoolVal(False))
    raise Unsupported(f"operand {value} of type {value.type}")
