"""LLVM types as plain immutable data.

Only integers, vectors of integers and structs/arrays of those are given
meaning by the verifier; every other type still parses, so that a function
using it is reported `unsupported: <type>` instead of failing to load.
"""
from __future__ import annotations

from dataclasses import dataclass


class Type:
    def is_int(self) -> bool:
        return isinstance(self, IntType)

    def scalar(self) -> "Type":
        """The element type of a vector, the type itself otherwise."""
        return self.elem if isinstance(self, VectorType) else self


@dataclass(frozen=True)
class IntType(Type):
    width: int

    def __str__(self) -> str:
        return f"i{self.width}"


@dataclass(frozen=True)
class VectorType(Type):
    count: int
    elem: Type
    scalable: bool = False

    def __str__(self) -> str:
        prefix = "vscale x " if self.scalable else ""
        return f"<{prefix}{self.count} x {self.elem}>"


@dataclass(frozen=True)
class ArrayType(Type):
    count: int
    elem: Type

    def __str__(self) -> str:
        return f"[{self.count} x {self.elem}]"


@dataclass(frozen=True)
class StructType(Type):
    fields: tuple[Type, ...]
    packed: bool = False

    def __str__(self) -> str:
        inner = ", ".join(map(str, self.fields))
        return f"<{{ {inner} }}>" if self.packed else f"{{ {inner} }}"


@dataclass(frozen=True)
class VoidType(Type):
    def __str__(self) -> str:
        return "void"


@dataclass(frozen=True)
class OpaqueType(Type):
    """A type the verifier does not model: ptr, float, label, metadata, ..."""

    name: str

    def __str__(self) -> str:
        return self.name


VOID = VoidType()
I1 = IntType(1)
LABEL = OpaqueType("label")


def unsupported_type(ty: Type) -> str | None:
    """Name of the first unmodelled part of `ty`, or None if fully modelled."""
    if isinstance(ty, (IntType, VoidType)):
        return None
    if isinstance(ty, VectorType):
        if ty.scalable:
            return "scalable vector"
        return unsupported_type(ty.elem) if isinstance(ty.elem, IntType) else f"vector of {ty.elem}"
    if isinstance(ty, (ArrayType,)):
        return unsupported_type(ty.elem)
    if isinstance(ty, StructType):
        for field in ty.fields:
            reason = unsupported_type(field)
            if reason:
                return reason
        return None
    assert isinstance(ty, OpaqueType)
    if ty.name in ("float", "double", "half", "bfloat", "fp128", "x86_fp80", "ppc_fp128"):
        return f"floating point ({ty.name})"
    if ty.name == "ptr" or ty.name.startswith("ptr "):
        return "pointers"
    return f"type {ty.name}"


def bit_width(ty: Type) -> int:
    """Total number of bits, as a bitcast sees them."""
    if isinstance(ty, IntType):
        return ty.width
    if isinstance(ty, (VectorType, ArrayType)):
        return ty.count * bit_width(ty.elem)
    if isinstance(ty, StructType):
        return sum(bit_width(f) for f in ty.fields)
    raise ValueError(f"no bit width for {ty}")
