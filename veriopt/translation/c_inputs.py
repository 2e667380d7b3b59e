"""The symbolic inputs of a C function: its integer arguments and the buffers
its pointer arguments point to (sized by a length parameter found by name,
placed anywhere, overlapping unless `restrict`)."""
from __future__ import annotations

from dataclasses import dataclass

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_frontend import CProgram
from veriopt.translation.c_types import ArrT, CType, IntT, PtrT, VoidT
from veriopt.translation.c_values import ADDR, IntV, PtrV, Value, bv, cast_bits


ADDR_LIMIT = 1 << 62


LENGTH_NAMES = ("n", "len", "length", "size", "count", "num", "cnt", "nelems", "nmemb", "N", "sz")


@dataclass
class MemObject:
    """A buffer: a pointer parameter's target or a local array."""

    name: str
    elem: CType
    base: z3.BitVecRef
    elems: z3.BitVecRef          # number of elements (64-bit)
    restrict: bool = False
    length_param: str | None = None

    @property
    def size_bytes(self) -> z3.BitVecRef:
        return self.elems * self.elem.size


@dataclass
class Inputs:
    """The symbolic inputs both versions of a function run on."""

    params: list[tuple[str, CType]]
    values: list[Value]
    objects: list[MemObject]
    mem: z3.ArrayRef
    assumptions: list[z3.BoolRef]


def _int_params(params: list[tuple[str, CType]]) -> list[str]:
    return [n for n, t in params if isinstance(t, IntT)]


def length_param_for(pointer: str, params: list[tuple[str, CType]]) -> str | None:
    """The integer parameter giving the number of elements `pointer` points to.

    By name only (`a_len`, `na`, `n`, `len`, ...): guessing from position
    would let an unrelated integer restrict the buffers checked.
    """
    ints = _int_params(params)
    for cand in (f"{pointer}_len", f"{pointer}len", f"n{pointer}", f"{pointer}_n",
                 f"{pointer}_size", f"{pointer}_count", f"len_{pointer}", f"n_{pointer}"):
        if cand in ints:
            return cand
    generic = [n for n in ints if n in LENGTH_NAMES]
    return generic[0] if len(generic) == 1 else None


def read_params(program: CProgram, fn: c_ast.FuncDef) -> list[tuple[str, CType]]:
    """(name, type) of each parameter; arrays decay to pointers."""
    reader = T.TypeReader(program.ast)
    decl = fn.decl.type
    out: list[tuple[str, CType]] = []
    for p in (decl.args.params if decl.args else []):
        if isinstance(p, c_ast.EllipsisParam):
            raise Unsupported("variadic function", p)
        t = reader.read(p.type, array_dim=lambda d: None)
        if isinstance(t, VoidT):
            continue
        if isinstance(t, ArrT):
            t = PtrT(t.elem)
        if isinstance(t, PtrT) and not isinstance(t.elem, IntT):
            raise Unsupported(f"pointer parameter of type '{t.name}'", p)
        if p.name is None:
            raise Unsupported("unnamed parameter", p)
        out.append((p.name, t))
    return out


def return_type(program: CProgram, fn: c_ast.FuncDef) -> CType:
    t = T.TypeReader(program.ast).read(fn.decl.type.type)
    if isinstance(t, (PtrT, ArrT)):
        raise Unsupported(f"function returning '{t.name}'", fn.decl)
    return t


def make_inputs(params: list[tuple[str, CType]]) -> Inputs:
    """Fresh symbolic values for the parameters and their buffers."""
    values: list[Value] = []
    objects: list[MemObject] = []
    assumptions: list[z3.BoolRef] = []
    ints = {n: z3.BitVec(n, t.bits) for n, t in params if isinstance(t, IntT)}
    for name, t in params:
        if isinstance(t, IntT):
            if t.is_bool:
                assumptions.append(z3.ULE(ints[name], 1))
            values.append(IntV(t, ints[name]))
            continue
        length = length_param_for(name, params)
        if length is not None:
            lt = dict(params)[length]
            lv = cast_bits(ints[length], lt, T.LONG)
            elems = z3.If(lv < 0, bv(0, ADDR), lv)
        else:
            elems = z3.BitVec(f"{name}.elems", ADDR)
        base = z3.BitVec(f"{name}.base", ADDR)
        obj = MemObject(name, t.elem, base, elems, t.restrict, length)
        assumptions += placement(obj)
        objects.append(obj)
        values.append(PtrV(t, base, base, base + obj.size_bytes))
    for i, a in enumerate(objects):
        for b in objects[i + 1:]:
            if a.restrict or b.restrict:
                assumptions.append(disjoint(a, b))
    return Inputs(params, values, objects, z3.Array("mem0", z3.BitVecSort(ADDR),
                                                     z3.BitVecSort(8)), assumptions)


def placement(obj: MemObject) -> list[z3.BoolRef]:
    align = obj.elem.size
    cons = [obj.base != 0, z3.ULT(obj.base, ADDR_LIMIT), z3.ULE(obj.elems, 1 << 40)]
    if align > 1:
        cons.append(z3.URem(obj.base, align) == 0)
    return cons


def disjoint(a: MemObject, b: MemObject) -> z3.BoolRef:
    return z3.Or(z3.ULE(a.base + a.size_bytes, b.base), z3.ULE(b.base + b.size_bytes, a.base))


def in_object(addr: z3.BitVecRef, obj: MemObject) -> z3.BoolRef:
    return z3.And(z3.ULE(obj.base, addr), z3.ULT(addr, obj.base + obj.size_bytes))

