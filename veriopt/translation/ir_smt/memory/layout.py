"""How values lie in memory: sizes and alignments of types (LLVM's default
datalayout for integers), and the conversion of a value to bytes and back.

A byte is a pointer byte or a non-pointer byte (byte.py). A non-pointer
byte has 8 data bits, one poison bit per data bit, the bit width of the
store that wrote it and its index in that store, as Alive2's ("written with
1 bits / byte #0"). A pointer is stored as 8 pointer bytes. Integers
are stored in `ceil(w/8)` bytes with poison padding bits; vectors as their
bits (a bitcast to one integer); arrays element by element at the
element's allocation size. A load of an integer whose width is not a
multiple of 8 is poison unless a store of that very width wrote its bytes
(LangRef; alive-tv: `store i8 255` then `load i1` is poison).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import z3

from veriopt.errors import Unsupported
from veriopt.ir.types import (
    FLOAT_FORMATS,
    ArrayType,
    FloatType,
    IntType,
    PtrType,
    StructType,
    Type,
    VectorType,
)
from veriopt.translation.ir_smt.memory import byte as B
from veriopt.translation.ir_smt.memory.byte import (  # noqa: F401 (re-exported)
    BYTE_BITS,
    POISON_BYTE,
    data_of,
    poison_of,
    tag_of,
)
from veriopt.translation.ir_smt.values import Lane, SVal, flatten_bits, lanes

PTR_BYTES = 8   # pointers are 64 bits (a datalayout that says otherwise is refused)


def _tag(width: int, index: int) -> z3.BitVecRef:
    if width >= 1 << 16 or index >= 1 << 8:
        raise Unsupported(f"a store of {width} bits")
    return z3.BitVecVal(index << 16 | width, 24)


FLOAT_ALIGN = {16: 2, 32: 4, 64: 8, 128: 16}


def as_int(ty: Type) -> Type:
    """An IEEE float lies in memory as the integer of its bits (its lane
    holds that bit pattern); vectors of them likewise."""
    if isinstance(ty, FloatType) and ty.name in FLOAT_FORMATS:
        return IntType(ty.width)
    if isinstance(ty, VectorType) and isinstance(ty.elem, FloatType):
        return VectorType(ty.count, as_int(ty.elem), ty.scalable)
    return ty


@dataclass(frozen=True)
class DataLayout:
    """The integer ABI alignments of the module's datalayout (LLVM's
    defaults where it says nothing: i1/i8 1, i16 2, i32 4, i64 4 bytes)."""

    int_aligns: tuple[tuple[int, int], ...] = ((1, 1), (8, 1), (16, 2), (32, 4), (64, 4))
    ptr_align: int = 8   # of address space 0 (`p:64:64` by default)

    @classmethod
    def of(cls, fn) -> DataLayout:
        m = re.search(r'target datalayout = "([^"]*)"', getattr(fn, "module_text", "") or "")
        table = dict(cls.int_aligns)
        ptr_align = 8
        for spec in (m.group(1).split("-") if m else []):
            found = re.fullmatch(r"i(\d+):(\d+)(?::\d+)?", spec)
            if found:
                table[int(found.group(1))] = int(found.group(2)) // 8
            pointer = re.fullmatch(r"p0?:(\d+):(\d+)(?::\d+)*", spec)
            if pointer:
                if int(pointer.group(1)) != 8 * PTR_BYTES:
                    raise Unsupported(f"pointers of {pointer.group(1)} bits (datalayout {spec})")
                ptr_align = int(pointer.group(2)) // 8
        return cls(tuple(sorted(table.items())), ptr_align)

    def int_align(self, width: int) -> int:
        """LLVM: the alignment of the smallest listed integer at least as
        wide, else of the widest listed."""
        for w, align in self.int_aligns:
            if w >= width:
                return align
        return self.int_aligns[-1][1]

    def align(self, ty: Type) -> int:
        if isinstance(ty, FloatType):
            return FLOAT_ALIGN.get(as_int(ty).width, 1)   # LLVM's default f16..f128
        if isinstance(ty, IntType):
            return self.int_align(ty.width)
        if isinstance(ty, PtrType):
            self.store_size(ty)
            return self.ptr_align
        if isinstance(ty, VectorType):
            size = self.store_size(ty)
            align = 1
            while align < size:
                align *= 2
            return align
        if isinstance(ty, ArrayType):
            return self.align(ty.elem)
        if isinstance(ty, StructType):
            return 1 if ty.packed else max([self.align(f) for f in ty.fields] or [1])
        self.store_size(ty)   # raises for what is not modelled
        raise Unsupported(f"type {ty} in memory")

    def field_offsets(self, ty: StructType) -> list[int]:
        offsets, at = [], 0
        for f in ty.fields:
            a = 1 if ty.packed else self.align(f)
            at = (at + a - 1) // a * a
            offsets.append(at)
            at += self.alloc_size(f)
        return offsets

    def store_size(self, ty: Type) -> int:
        """Bytes a load or store of `ty` touches."""
        ty = as_int(ty)
        if isinstance(ty, IntType):
            return (ty.width + 7) // 8
        if isinstance(ty, VectorType):
            if ty.scalable:
                raise Unsupported("scalable vectors in memory")
            if isinstance(ty.elem, PtrType):
                return ty.count * self.store_size(ty.elem)
            if not isinstance(ty.elem, IntType):
                raise Unsupported(f"vector of {ty.elem} in memory")
            return (ty.count * ty.elem.width + 7) // 8
        if isinstance(ty, ArrayType):
            return ty.count * self.alloc_size(ty.elem)
        if isinstance(ty, StructType):
            if not ty.fields:
                return 0
            end = self.field_offsets(ty)[-1] + self.alloc_size(ty.fields[-1])
            a = self.align(ty)
            return (end + a - 1) // a * a
        if isinstance(ty, PtrType):
            if ty.addrspace:
                raise Unsupported(f"pointers of address space {ty.addrspace} in memory")
            return PTR_BYTES
        raise Unsupported(f"type {ty} in memory")

    def alloc_size(self, ty: Type) -> int:
        """Bytes between consecutive elements of type `ty` (store size
        rounded up to the ABI alignment)."""
        size, align = self.store_size(ty), self.align(ty)
        return (size + align - 1) // align * align


def _split_bytes(bits: z3.BitVecRef, poison: z3.BitVecRef, nbytes: int, width: int,
                 little_endian: bool) -> list[z3.BitVecRef]:
    out = []
    for i in range(nbytes):
        k = i if little_endian else nbytes - 1 - i
        out.append(B.int_byte(z3.Concat(_tag(width, i), z3.Extract(8 * k + 7, 8 * k, poison),
                                         z3.Extract(8 * k + 7, 8 * k, bits))))
    return out


def _join_bytes(data: list[z3.BitVecRef], little_endian: bool,
                address=None) -> tuple[z3.BitVecRef, z3.BitVecRef]:
    """(data bits, poison bits) of consecutive bytes, as one integer; the
    bits of a pointer byte are poison (Alive2: an integer load of a pointer
    is poison), or, given `address` (the asm target), its byte of the
    pointer's address."""
    order = data[::-1] if little_endian else data
    if address is None:
        bits = [data_of(b) for b in order]
        poison = [z3.simplify(z3.If(B.is_ptr(b), z3.BitVecVal(0xFF, 8), poison_of(b)))
                  for b in order]
    else:
        bits = [z3.If(B.is_ptr(b), B.address_byte(b, address), data_of(b)) for b in order]
        poison = [z3.If(B.is_ptr(b), z3.If(B.ptr_poison(b), z3.BitVecVal(0xFF, 8),
                                           z3.BitVecVal(0, 8)), poison_of(b)) for b in order]
    if len(order) == 1:
        return bits[0], poison[0]
    return z3.Concat(*bits), z3.Concat(*poison)


def _widen(v: z3.BitVecRef, bits: int) -> z3.BitVecRef:
    return v if v.size() == bits else z3.ZeroExt(bits - v.size(), v)


def to_bytes(val: SVal, ty: Type, little_endian: bool, dl: DataLayout) -> list[z3.BitVecRef]:
    """The bytes a store of `val` (of type `ty`) writes, in address order;
    padding inside arrays and structs is poison."""
    ty = as_int(ty)
    if isinstance(ty, (ArrayType, StructType)):
        fields = ty.fields if isinstance(ty, StructType) else [ty.elem] * ty.count
        offsets = dl.field_offsets(ty) if isinstance(ty, StructType) else \
            [i * dl.alloc_size(ty.elem) for i in range(ty.count)]
        out: list[z3.BitVecRef] = [POISON_BYTE] * dl.store_size(ty)
        for elem, f, at in zip(val, fields, offsets):
            part = to_bytes(elem, f, little_endian, dl)
            out[at:at + len(part)] = part
        return out
    if isinstance(ty, PtrType):
        dl.store_size(ty)
        assert isinstance(val, Lane)
        out = [B.ptr_byte(val.v, val.p, i) for i in range(PTR_BYTES)]
        return out if little_endian else out[::-1]
    if isinstance(ty, VectorType) and isinstance(ty.elem, PtrType):
        return [b for lane in lanes(val) for b in to_bytes(lane, ty.elem, little_endian, dl)]
    n = dl.store_size(ty)
    if isinstance(ty, IntType):
        parts = [val]
    else:
        parts = lanes(val)
    value_bits = flatten_bits(val, little_endian) if not isinstance(ty, IntType) else val.v
    width = value_bits.size()
    # poison bits, lane by lane, in the same order as the value bits
    lane_w = width // len(parts)
    masks = [z3.If(lane.p, z3.BitVecVal((1 << lane_w) - 1, lane_w), z3.BitVecVal(0, lane_w))
             for lane in parts]
    if little_endian:
        masks = masks[::-1]
    mask = masks[0] if len(masks) == 1 else z3.Concat(*masks)
    pad = 8 * n - width
    if pad:
        value_bits = z3.ZeroExt(pad, value_bits)
        mask = z3.Concat(z3.BitVecVal((1 << pad) - 1, pad), mask)
    return _split_bytes(value_bits, mask, n, width, little_endian)


def from_bytes(data: list[z3.BitVecRef], ty: Type, little_endian: bool, dl: DataLayout,
               address=None) -> SVal:
    """The value a load of type `ty` reads from these bytes: an integer lane
    is poison if any of its own bits is poison. `address` (a pointer's
    address, for the asm target) makes an integer load of a pointer byte
    read the address's byte."""
    ty = as_int(ty)
    if isinstance(ty, (ArrayType, StructType)):
        fields = ty.fields if isinstance(ty, StructType) else [ty.elem] * ty.count
        offsets = dl.field_offsets(ty) if isinstance(ty, StructType) else \
            [i * dl.alloc_size(ty.elem) for i in range(ty.count)]
        return tuple(from_bytes(data[at:at + dl.store_size(f)], f, little_endian, dl, address)
                     for f, at in zip(fields, offsets))
    if isinstance(ty, PtrType):
        dl.store_size(ty)
        return _load_pointer(data if little_endian else data[::-1])
    if isinstance(ty, VectorType) and isinstance(ty.elem, PtrType):
        return tuple(_load_pointer(data[k:k + PTR_BYTES] if little_endian
                                   else data[k:k + PTR_BYTES][::-1])
                     for k in range(0, len(data), PTR_BYTES))
    dl.store_size(ty)
    bits, poison = _join_bytes(data, little_endian, address)
    if isinstance(ty, IntType):
        w = ty.width
        bad = z3.Extract(w - 1, 0, poison) != 0
        if w % 8:   # not written by a store of this width: poison
            bad = z3.Or([bad] + [tag_of(b) != _tag(w, i) for i, b in enumerate(data)])
        return Lane(z3.Extract(w - 1, 0, bits), bad)
    assert isinstance(ty, VectorType) and isinstance(ty.elem, IntType)
    if (ty.count * ty.elem.width) % 8:
        raise Unsupported("load of a vector that is not a whole number of bytes")
    w, count = ty.elem.width, ty.count
    out = []
    for j in range(count):
        k = j if little_endian else count - 1 - j
        lo = k * w
        out.append(Lane(z3.Extract(lo + w - 1, lo, bits),
                        z3.Extract(lo + w - 1, lo, poison) != 0))
    return tuple(out)


def _load_pointer(data: list[z3.BitVecRef]) -> Lane:
    """Alive2's `bytesToValue` for a pointer (bytes in index order): the
    pointer the bytes were cut from, if they are its bytes 0..7 in order and
    none is poison; null from non-pointer bytes that are all 0; poison
    otherwise."""
    first = data[0]
    pointer, loaded = B.is_ptr(first), B.ptr_value(first)
    ok = []
    for i, b in enumerate(data):
        if i:
            ok.append(B.is_ptr(b) == pointer)
        ok.append(z3.If(pointer, z3.And(B.ptr_index(b) == i, B.ptr_value(b) == loaded),
                        data_of(b) == 0))
        ok.append(B.no_poison(b))
    return Lane(z3.If(pointer, loaded, z3.BitVecVal(0, loaded.size())), z3.Not(z3.And(ok)))
