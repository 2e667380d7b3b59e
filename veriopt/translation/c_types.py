"""C types under the LP64 data model, read from pycparser declarations.

Only the types the C semantics models: the integer types (with _Bool),
pointers to them, and constant-size arrays of them. Anything else is an
`Unsupported` naming the construct and its line, never a guess.
"""
from __future__ import annotations

from dataclasses import dataclass

from pycparser import c_ast

from veriopt.errors import Unsupported


@dataclass(frozen=True)
class IntT:
    bits: int
    signed: bool
    rank: int
    name: str
    is_bool: bool = False

    @property
    def size(self) -> int:
        return self.bits // 8

    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1


@dataclass(frozen=True)
class PtrT:
    elem: "CType"
    restrict: bool = False

    @property
    def size(self) -> int:
        return 8

    @property
    def name(self) -> str:
        return f"{self.elem.name} *"


@dataclass(frozen=True)
class ArrT:
    elem: "CType"
    length: int

    @property
    def size(self) -> int:
        return self.elem.size * self.length

    @property
    def name(self) -> str:
        return f"{self.elem.name}[{self.length}]"


@dataclass(frozen=True)
class VoidT:
    name: str = "void"
    size: int = 1


CType = IntT | PtrT | ArrT | VoidT

BOOL = IntT(8, False, 0, "_Bool", is_bool=True)
CHAR = IntT(8, True, 1, "char")
SCHAR = IntT(8, True, 1, "signed char")
UCHAR = IntT(8, False, 1, "unsigned char")
SHORT = IntT(16, True, 2, "short")
USHORT = IntT(16, False, 2, "unsigned short")
INT = IntT(32, True, 3, "int")
UINT = IntT(32, False, 3, "unsigned int")
LONG = IntT(64, True, 4, "long")
ULONG = IntT(64, False, 4, "unsigned long")
LLONG = IntT(64, True, 5, "long long")
ULLONG = IntT(64, False, 5, "unsigned long long")
VOID = VoidT()
SIZE_T = ULONG
PTRDIFF_T = LONG

_FLOATING = {"float", "double", "_Complex", "__int128", "_Float128"}


def int_type_from_names(names: list[str], node: c_ast.Node | None = None) -> IntT | VoidT:
    """The type a list of specifier words (`unsigned long long`) denotes."""
    words = [w for w in names if w not in ("const", "volatile")]
    for word in words:
        if word in _FLOATING:
            raise Unsupported(f"floating-point type '{' '.join(words)}'", node)
    if words == ["void"]:
        return VOID
    if words == ["_Bool"]:
        return BOOL
    unsigned = "unsigned" in words
    signed_kw = "signed" in words
    core = [w for w in words if w not in ("signed", "unsigned", "int")]
    if core == ["char"]:
        return UCHAR if unsigned else (SCHAR if signed_kw else CHAR)
    if core == ["short"]:
        return USHORT if unsigned else SHORT
    if core == []:
        return UINT if unsigned else INT
    if core == ["long"]:
        return ULONG if unsigned else LONG
    if core == ["long", "long"]:
        return ULLONG if unsigned else LLONG
    raise Unsupported(f"type '{' '.join(names)}'", node)


def promote(t: IntT) -> IntT:
    """Integer promotion: every type of rank below int becomes int (C11 6.3.1.1)."""
    return INT if t.rank < INT.rank else t


def common_type(a: IntT, b: IntT) -> IntT:
    """The usual arithmetic conversions (C11 6.3.1.8) on integer types."""
    a, b = promote(a), promote(b)
    if a == b:
        return a
    if a.signed == b.signed:
        return a if a.rank >= b.rank else b
    uns, sig = (a, b) if not a.signed else (b, a)
    if uns.rank >= sig.rank:
        return uns
    if sig.bits > uns.bits:
        return sig
    return _unsigned_of(sig)


def _unsigned_of(t: IntT) -> IntT:
    return {INT: UINT, LONG: ULONG, LLONG: ULLONG}.get(t, t)


class TypeReader:
    """Resolves pycparser declarators (with the file's typedefs) to CType."""

    def __init__(self, ast: c_ast.FileAST):
        self.typedefs: dict[str, c_ast.Node] = {}
        for node in ast.ext:
            if isinstance(node, c_ast.Typedef):
                self.typedefs[node.name] = node.type

    def read(self, node: c_ast.Node, array_dim=None) -> CType:
        """The CType of a declarator node (TypeDecl, PtrDecl, ArrayDecl, Typename)."""
        if isinstance(node, (c_ast.Typename, c_ast.Decl)):
            return self.read(node.type)
        if isinstance(node, c_ast.TypeDecl):
            return self._base(node.type, node)
        if isinstance(node, c_ast.PtrDecl):
            elem = self.read(node.type)
            if isinstance(elem, (PtrT, ArrT)):
                raise Unsupported("pointer to pointer or array", node)
            return PtrT(elem, restrict="restrict" in (node.quals or []))
        if isinstance(node, c_ast.ArrayDecl):
            elem = self.read(node.type)
            if isinstance(elem, ArrT):
                raise Unsupported("multi-dimensional array", node)
            if node.dim is None:
                return PtrT(elem, restrict="restrict" in (node.dim_quals or []))
            length = array_dim(node.dim) if array_dim else None
            if length is None:
                raise Unsupported("array with non-constant size", node)
            return ArrT(elem, length)
        if isinstance(node, c_ast.FuncDecl):
            raise Unsupported("function pointer", node)
        raise Unsupported(f"type {type(node).__name__}", node)

    def _base(self, spec: c_ast.Node, node: c_ast.Node) -> CType:
        if isinstance(spec, c_ast.IdentifierType):
            names = spec.names
            if len(names) == 1 and names[0] in self.typedefs:
                return self.read(self.typedefs[names[0]])
            return int_type_from_names(names, node)
        if isinstance(spec, c_ast.Struct):
            raise Unsupported("struct", node)
        if isinstance(spec, c_ast.Union):
            raise Unsupported("union", node)
        if isinstance(spec, c_ast.Enum):
            raise Unsupported("enum", node)
        raise Unsupported(f"type {type(spec).__name__}", node)
