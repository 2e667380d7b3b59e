"""Random memory functions: pointer parameters (noundef, nonnull, align N,
dereferenceable(N)), globals (constant and not), allocas, integer and
vector loads and stores (i8..i64, now and then i1/i12/i24), getelementptr
with and without inbounds/nuw and constant or variable indices,
memset/memcpy/memmove of constant sizes, pointer icmp eq/ne, select of
pointers and, in a diamond, phi of pointers and integers.

Every pointer carries what the generator knows of it (`PtrInfo`: bytes
known dereferenceable, known alignment, writable, local), so that most
accesses are in bounds and aligned (a source that is always UB proves
nothing); a few are not, on purpose. Stays mostly within what
docs/memory.md says veriopt models: no pointer is stored or loaded, no
ptrtoint, no relational pointer compare, no nuw gep without inbounds.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from veriopt.verify.random_ir.instructions import random_const, weighted
from veriopt.verify.random_ir.mem_model import (
    INT_BINOPS, MBlock, MFunction, MGlobal, MInstr, MOperand, alloc_size, bits_of, is_int,
    is_vec, store_size,
)

ACCESS_TYPES = (("i8", 25), ("i16", 14), ("i32", 24), ("i64", 12), ("i1", 4), ("i12", 3),
                ("i24", 1), ("<2 x i8>", 2), ("<4 x i8>", 2), ("<2 x i16>", 2), ("<2 x i32>", 1))
ALLOCA_TYPES = (("i32", 20), ("i64", 15), ("[8 x i8]", 15), ("[4 x i16]", 8), ("[2 x i32]", 10),
                ("[16 x i8]", 6), ("i8", 6), ("[4 x i32]", 5))
GEP_ELEMS = (("i8", 45), ("i16", 12), ("i32", 22), ("i64", 8), ("[4 x i8]", 5))
GUESS_AVAIL = 16   # bytes assumed behind a pointer of unknown size, when choosing offsets


@dataclass
class PtrInfo:
    """What the generator knows of a pointer value."""
    op: MOperand
    avail: int | None    # bytes known to exist from it on (None: unknown)
    align: int           # alignment known
    writable: bool
    local: bool          # into an alloca
    root: str            # the parameter, alloca or global it derives from ("" if mixed)


class MemBuilder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ptrs: list[PtrInfo] = []
        self.ints: list[MOperand] = []
        self.uses: dict[str, int] = {}
        self.body: list[MInstr] = []
        self.count = 0
        self.i1_params: list[MOperand] = []
        self.index_params: list[MOperand] = []
        self.stored: list[tuple[PtrInfo, str]] = []   # (pointer, type) of each store

    # ---- helpers ---------------------------------------------------------------
    def fresh(self, base: str = "t") -> str:
        self.count += 1
        return f"{base}{self.count - 1}"

    def use(self, op: MOperand) -> MOperand:
        if op.kind == "val":
            self.uses[op.name] = self.uses.get(op.name, 0) + 1
        return op

    def pick_ptr(self, writable: bool = False) -> PtrInfo:
        pool = [p for p in self.ptrs if p.writable] if writable and self.rng.random() < 0.96 \
            else self.ptrs
        pool = pool or self.ptrs
        # recent and unused pointers first
        w = [(p, 1 + 3 * (self.uses.get(p.op.name, 0) == 0) + k / len(pool))
             for k, p in enumerate(pool)]
        return weighted(self.rng, w)

    def access_type(self, info: PtrInfo) -> str:
        room = info.avail if info.avail is not None else GUESS_AVAIL
        if self.rng.random() < 0.06:
            room = 8
        pool = [(t, w) for t, w in ACCESS_TYPES if store_size(t) <= room] or [("i8", 1)]
        return weighted(self.rng, pool)

    def pick_align(self, info: PtrInfo, size: int) -> int:
        natural = 1 << (max(size, 1) - 1).bit_length()
        top = min(info.align, natural, 8)
        r = self.rng.random()
        if r < 0.07:
            return min(2 * max(info.align, natural), 16)      # more than known: may be UB
        if r < 0.7 or top == 1:
            return top
        return 1 << self.rng.randrange(top.bit_length())

    def int_value(self, ty: str) -> MOperand:
        r = self.rng.random()
        same = [v for v in self.ints if v.ty == ty]
        if same and r < 0.4:
            return self.use(self.rng.choice(same))
        if r < 0.96 or is_vec(ty):
            bits = bits_of(ty)
            if is_vec(ty):
                lane = int(ty.split(" x i")[1][:-1])
                v = sum(random_const(self.rng, lane) << (k * lane)
                        for k in range(bits // lane))
            else:
                v = random_const(self.rng, bits)
            return MOperand("const", ty, value=v)
        return MOperand("undef" if r < 0.98 else "poison", ty)

    def cond(self) -> MOperand:
        i1s = [v for v in self.ints if v.ty == "i1"] + self.i1_params
        if i1s and self.rng.random() < 0.7:
            return self.use(self.rng.choice(i1s))
        return self.s_icmp_ptr()

    def emit(self, ins: MInstr) -> MInstr:
        for a in ins.args:
            self.use(a)
        self.body.append(ins)
        return ins

    # ---- statements --------------------------------------------------------------
    def s_store(self, info: PtrInfo | None = None, ty: str | None = None) -> None:
        info = info or self.pick_ptr(writable=True)
        ty = ty or self.access_type(info)
        val = self.int_value(ty)
        self.emit(MInstr("", "store", ty, [val, info.op], self.pick_align(info, store_size(ty))))
        self.stored.append((info, ty))

    def s_load(self, info: PtrInfo | None = None) -> MOperand:
        ty = None
        if info is None and self.stored and self.rng.random() < 0.45:
            info, ty = self.rng.choice(self.stored[-2:])   # read back what was stored
            if self.rng.random() < 0.3:
                ty = None
        info = info or self.pick_ptr()
        ty = ty or self.access_type(info)
        name = self.fresh()
        self.emit(MInstr(name, "load", ty, [info.op], self.pick_align(info, store_size(ty))))
        out = MOperand("val", ty, name)
        if is_vec(ty) and self.rng.random() < 0.6:
            cast = self.fresh()
            self.emit(MInstr(cast, "bitcast", f"i{bits_of(ty)}", [out]))
            out = MOperand("val", f"i{bits_of(ty)}", cast)
        self.ints.append(out)
        return out

    def s_gep(self, base: PtrInfo | None = None) -> PtrInfo:
        base = base or self.pick_ptr()
        elem = weighted(self.rng, GEP_ELEMS)
        esize = alloc_size(elem)
        room = base.avail if base.avail is not None else GUESS_AVAIL
        flags = weighted(self.rng, [(["inbounds"], 45), (["inbounds", "nuw"], 20), ([], 35)])
        if self.index_params and self.rng.random() < 0.25:
            idx = self.use(self.rng.choice(self.index_params))
            off, avail, align = None, None, math.gcd(base.align, esize)
        else:
            hi = max(room // esize, 0)
            r = self.rng.random()
            k = (self.rng.randint(0, hi) if r < 0.85 else
                 -1 if r < 0.92 else hi + 1)
            if k < 0 and "nuw" in flags:
                flags = ["inbounds"]
            idx = MOperand("const", "i64" if self.rng.random() < 0.8 else "i32", value=k)
            off = k * esize
            avail = None if base.avail is None else base.avail - off
            align = math.gcd(base.align, off) if off else base.align
        args = [self.use(base.op)]
        if elem.startswith("["):   # [4 x i8]: step over whole arrays, then into one
            args.append(idx)
            sub = self.rng.randrange(4)
            args.append(MOperand("const", "i64", value=sub))
            if off is not None:
                off += sub
                avail = None if avail is None else avail - sub
                align = math.gcd(base.align, off) if off else base.align
            else:
                align = math.gcd(align, sub) if sub else align
        else:
            args.append(idx)
        name = self.fresh("g")
        self.body.append(MInstr(name, "gep", "ptr", args, flags=flags, elem=elem))
        info = PtrInfo(MOperand("val", "ptr", name),
                       avail if avail is None or avail >= 0 else 0, max(align, 1),
                       base.writable, base.local, base.root)
        self.ptrs.append(info)
        return info

    def s_memset(self) -> None:
        info = self.pick_ptr(writable=True)
        room = info.avail if info.avail is not None else 8
        size = self.rng.randint(1, max(1, min(room, 16)))
        align = info.align if self.rng.random() < 0.4 and info.align > 1 else 0
        val = MOperand("const", "i8", value=random_const(self.rng, 8))
        if self.rng.random() < 0.2:
            val = self.int_value("i8")
        self.emit(MInstr("", "memset", "void", [info.op, val], align, size=size))

    def s_memcpy(self) -> None:
        dst = self.pick_ptr(writable=True)
        src = self.pick_ptr()
        rooms = [p.avail if p.avail is not None else 8 for p in (dst, src)]
        size = self.rng.randint(1, max(1, min(min(rooms), 16)))
        op = "memcpy" if self.rng.random() < 0.6 else "memmove"
        align = dst.align if self.rng.random() < 0.3 and dst.align > 1 else 0
        self.emit(MInstr("", op, "void", [dst.op, src.op], align, size=size))

    def two_ptrs(self) -> tuple[PtrInfo, PtrInfo]:
        """Two pointers, distinct when there are two."""
        a = self.pick_ptr()
        b = self.pick_ptr()
        if b is a and len(self.ptrs) > 1:
            b = self.rng.choice([p for p in self.ptrs if p is not a])
        return a, b

    def s_icmp_ptr(self) -> MOperand:
        a, b = self.two_ptrs()
        other = MOperand("null", "ptr") if self.rng.random() < 0.15 else b.op
        name = self.fresh("c")
        self.emit(MInstr(name, "icmp", "i1", [a.op, other], pred=self.rng.choice(("eq", "ne"))))
        out = MOperand("val", "i1", name)
        self.ints.append(out)
        return out

    def s_select_ptr(self) -> PtrInfo:
        c = self.cond()
        a, b = self.two_ptrs()
        name = self.fresh("s")
        self.emit(MInstr(name, "select", "ptr", [c, a.op, b.op]))
        info = merge_info(MOperand("val", "ptr", name), a, b)
        self.ptrs.append(info)
        return info

    def s_arith(self) -> None:
        ints = [v for v in self.ints if is_int(v.ty) and v.ty != "i1"]
        if not ints:
            self.s_load()
            return
        a = self.rng.choice(ints)
        name = self.fresh()
        op = self.rng.choice(INT_BINOPS)
        self.emit(MInstr(name, op, a.ty, [a, self.int_value(a.ty)]))
        self.ints.append(MOperand("val", a.ty, name))

    def access(self, info: PtrInfo) -> None:
        """A load or store through a new pointer, so that it is not dead."""
        if self.rng.random() < 0.85:
            if info.writable and self.rng.random() < 0.5:
                self.s_store(info)
            else:
                self.s_load(info)

    def statement(self) -> None:
        kind = weighted(self.rng, [("store", 24), ("load", 22), ("gep", 22), ("memset", 5),
                                   ("memcpy", 6), ("icmp", 5), ("select", 5), ("arith", 6)])
        if kind == "gep":
            self.access(self.s_gep())
        elif kind == "select":
            self.access(self.s_select_ptr())
        else:
            {"store": self.s_store, "load": self.s_load, "memset": self.s_memset,
             "memcpy": self.s_memcpy, "icmp": self.s_icmp_ptr, "arith": self.s_arith}[kind]()


def merge_info(op: MOperand, a: PtrInfo, b: PtrInfo) -> PtrInfo:
    """What is known of a pointer that is either a or b."""
    avail = None if a.avail is None or b.avail is None else min(a.avail, b.avail)
    return PtrInfo(op, avail, min(a.align, b.align), a.writable and b.writable,
                   a.local or b.local, a.root if a.root == b.root else "")
