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


# IEEE formats by name: (exponent bits, significand bits including the hidden one)
FLOAT_FORMATS = {"half": (5, 11), "bfloat": (8, 8), "float": (8, 24), "double": (11, 53),
                 "fp128": (15, 113)}
FLOAT_NAMES = tuple(FLOAT_FORMATS) + ("x86_fp80", "ppc_fp128")


@dataclass(frozen=True)
class FloatType(Type):
    """half, bfloat, float, double, fp128 (IEEE), x86_fp80, ppc_fp128."""

    name: str

    @property
    def width(self) -> int:
        return {"half": 16, "bfloat": 16, "float": 32, "double": 64, "fp128": 128,
                "x86_fp80": 80, "ppc_fp128": 128}[self.name]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class PtrType(Type):
    addrspace: int = 0

    def __str__(self) -> str:
        return f"ptr addrspace({self.addrspace})" if self.addrspace else "ptr"


@dataclass(frozen=True)
class VoidType(Type):
    def __str__(self) -> str:
        return "void"


@dataclass(frozen=True)
class OpaqueType(Type):
    """A type the verifier does not model: label, metadata, token, ..."""

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
        return unsupported_type(ty.elem)
    if isinstance(ty, (ArrayType,)):
        return unsupported_type(ty.elem)
    if isinstance(ty, StructType):
        for field in ty.fields:
            reason = unsupported_type(field)
            if reason:
                return reason
        return None
    if isinstance(ty, FloatType):
        return None if ty.name in FLOAT_FORMATS else f"floating point ({ty.name})"
    if isinstance(ty, PtrType):   # modelled in translation/ir_smt/memory (address space 0)
        return None if ty.addrspace == 0 else f"address space {ty.addrspace}"
    assert isinstance(ty, OpaqueType)
    return f"type {ty.name}"


def bit_width(ty: Type) -> int:
    """Total number of bits, as a bitcast sees them."""
    if isinstance(ty, (IntType, FloatType)):
        return ty.width
    if isinstance(ty, (VectorType, ArrayType)):
        return ty.count * bit_width(ty.elem)
    if isinstance(ty, StructType):
        return sum(bit_width(f) for f in ty.fields)
    raise ValueError(f"no bit width for {ty}")
