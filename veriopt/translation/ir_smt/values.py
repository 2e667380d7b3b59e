"""SMT values of IR values: every integer lane is a (bits, poison) pair.

Vectors, structs and arrays are tuples of their elements, so per-lane poison
falls out of the representation: an operation maps over lanes and each lane
carries its own poison bit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import z3

from veriopt.errors import Unsupported
from veriopt.ir.types import (
    FLOAT_FORMATS, ArrayType, FloatType, IntType, PtrType, StructType, Type, VectorType,
)
from veriopt.translation.ir_smt.memory.pointers import PTR_BITS


@dataclass(frozen=True)
class Lane:
    """One integer: its bits and whether it is poison."""

    v: z3.BitVecRef
    p: z3.BoolRef


SVal = Union[Lane, tuple]  # a Lane, or a tuple of SVal for aggregates


def lanes(val: SVal) -> list[Lane]:
    """All integer leaves, in order (vector lanes, struct fields, ...)."""
    if isinstance(val, Lane):
        return [val]
    out: list[Lane] = []
    for e in val:
        out += lanes(e)
    return out


def map_lanes(fn: Callable[[Lane], Lane], val: SVal) -> SVal:
    if isinstance(val, Lane):
        return fn(val)
    return tuple(map_lanes(fn, e) for e in val)


def zip_lanes(fn: Callable[..., Lane], *vals: SVal) -> SVal:
    """Apply `fn` lane by lane to same-shaped values."""
    first = vals[0]
    if isinstance(first, Lane):
        return fn(*vals)
    return tuple(zip_lanes(fn, *parts) for parts in zip(*vals))


def width_of(ty: Type) -> int:
    scalar = ty.scalar()
    if isinstance(scalar, FloatType) and scalar.name in FLOAT_FORMATS:
        return scalar.width   # IEEE values are lanes of their bit pattern
    if not isinstance(scalar, IntType):
        raise Unsupported(f"type {ty}")
    return scalar.width


def shape(ty: Type, leaf: Callable[[IntType], Lane]) -> SVal:
    """Build a value of type `ty` whose integer leaves come from `leaf`
    (an IEEE float is a leaf too: its lane holds the bit pattern)."""
    if isinstance(ty, IntType) or (isinstance(ty, FloatType) and ty.name in FLOAT_FORMATS):
        return leaf(ty)
    if isinstance(ty, PtrType) and ty.addrspace == 0:
        return leaf(IntType(PTR_BITS))   # a pointer is a lane of block id ++ offset
    if isinstance(ty, (VectorType, ArrayType)):
        if isinstance(ty, VectorType) and ty.scalable:
            raise Unsupported("scalable vectors")
        return tuple(shape(ty.elem, leaf) for _ in range(ty.count))
    if isinstance(ty, StructType):
        return tuple(shape(f, leaf) for f in ty.fields)
    raise Unsupported(f"type {ty}")


def const_lane(width: int, value: int) -> Lane:
    return Lane(z3.BitVecVal(value % (1 << width), width), z3.BoolVal(False))


def poison_lane(width: int) -> Lane:
    return Lane(z3.BitVecVal(0, width), z3.BoolVal(True))


def bool_to_bv(b: z3.BoolRef) -> z3.BitVecRef:
    return z3.If(b, z3.BitVecVal(1, 1), z3.BitVecVal(0, 1))


def is_true(v: z3.BitVecRef) -> z3.BoolRef:
    return v == z3.BitVecVal(1, v.size())


def any_poison(val: SVal) -> z3.BoolRef:
    return z3.Or([lane.p for lane in lanes(val)]) if lanes(val) else z3.BoolVal(False)


def ite(cond: z3.BoolRef, a: SVal, b: SVal) -> SVal:
    return zip_lanes(lambda x, y: Lane(z3.If(cond, x.v, y.v), z3.If(cond, x.p, y.p)), a, b)


def flatten_bits(val: SVal, little_endian: bool) -> z3.BitVecRef:
    """Bits of a value as a bitcast sees them (element 0 at the low end on
    little-endian targets, at the high end on big-endian ones)."""
    parts = [lane.v for lane in lanes(val)]
    if little_endian:
        parts = parts[::-1]
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def free_constants(expr: z3.ExprRef) -> list[z3.ExprRef]:
    """The uninterpreted constants in `expr` (inside quantifiers too), once each."""
    seen: dict[str, z3.ExprRef] = {}
    todo = [expr]
    visited = set()
    while todo:
        e = todo.pop()
        if e.get_id() in visited:
            continue
        visited.add(e.get_id())
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            seen[str(e)] = e
        elif z3.is_app(e):
            todo.extend(e.children())
        elif z3.is_quantifier(e):
            todo.append(e.body())
    return list(seen.values())
