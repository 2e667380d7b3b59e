"""A whole random memory function: parameters with pointer attributes,
module globals, allocas (mostly initialised), a few random statements
(mem.py), now and then a diamond whose join has phis, and a return of what
was loaded or compared (or void, or a pointer when there is no alloca).
"""
from __future__ import annotations

import random

from veriopt.verify.random_ir.instructions import random_const, weighted
from veriopt.verify.random_ir.model import const_text
from veriopt.verify.random_ir.mem import ALLOCA_TYPES, MemBuilder, PtrInfo, merge_info
from veriopt.verify.random_ir.mem_model import (
    MBlock, MFunction, MGlobal, MInstr, MOperand, alloc_size, bits_of, is_int,
)

GLOBALS = (   # (type, constant?) ; initialisers drawn at random
    ("i32", False), ("i64", True), ("[4 x i8]", True), ("[4 x i16]", False),
    ("[2 x i32]", False), ("i32", True), ("[8 x i8]", False),
)


def _pointer_attrs(rng: random.Random) -> tuple[list[str], int | None, int]:
    attrs, avail, align = [], None, 1
    if rng.random() < 0.5:
        attrs.append("noundef")
    if rng.random() < 0.25:
        attrs.append("nonnull")
    if rng.random() < 0.35:
        align = rng.choice((2, 4, 4, 8))
        attrs.append(f"align {align}")
    if rng.random() < 0.4:
        avail = rng.choice((4, 8, 8, 16))
        attrs.append(f"dereferenceable({avail})")
    return attrs, avail, align


def _global(rng: random.Random, k: int) -> MGlobal:
    ty, const = rng.choice(GLOBALS)
    size = alloc_size(ty)
    if ty.startswith("["):
        n, w = ty[1:-1].split(" x ")
        if rng.random() < 0.3:
            init = "zeroinitializer"
        else:
            init = "[" + ", ".join(f"{w} {const_text(random_const(rng, int(w[1:])), int(w[1:]))}"
                                   for _ in range(int(n))) + "]"
    else:
        init = str(random_const(rng, bits_of(ty)) % (1 << 31))
    align = min(size, 8) if rng.random() < 0.8 else 1
    return MGlobal(("g", "h")[k] if not const else ("c", "k")[k], ty, init, const, align)


def random_mem_function(rng: random.Random) -> MFunction:
    """A random function over memory, named @src."""
    b = MemBuilder(rng)
    params: list[tuple[str, str, list[str]]] = []
    for name in ("p", "q", "r")[:weighted(rng, [(1, 35), (2, 45), (3, 20)])]:
        attrs, avail, align = _pointer_attrs(rng)
        params.append((name, "ptr", attrs))
        b.ptrs.append(PtrInfo(MOperand("val", "ptr", name), avail, align, True, False, name))
    if rng.random() < 0.3:
        params.append(("i", "i64", ["noundef"] if rng.random() < 0.85 else []))
        b.index_params.append(MOperand("val", "i64", "i"))
    if rng.random() < 0.3:
        ty = rng.choice(("i8", "i32", "i32", "i16"))
        params.append(("x", ty, ["noundef"] if rng.random() < 0.5 else []))
        b.ints.append(MOperand("val", ty, "x"))
    diamond = rng.random() < 0.15
    if diamond or rng.random() < 0.05:
        params.append(("b", "i1", ["noundef"] if rng.random() < 0.7 else []))
        b.i1_params.append(MOperand("val", "i1", "b"))
    globals_ = []
    for k in range(weighted(rng, [(0, 65), (1, 25), (2, 10)])):
        g = _global(rng, k)
        if all(x.name != g.name for x in globals_):
            globals_.append(g)
            b.ptrs.append(PtrInfo(MOperand("global", "ptr", g.name), alloc_size(g.ty), g.align,
                                  not g.constant, False, g.name))
    nalloca = weighted(rng, [(0, 50), (1, 38), (2, 12)])
    for _ in range(nalloca):
        ty = weighted(rng, ALLOCA_TYPES)
        align = rng.choice((1, 2, 4, 4, 8, 8, 16)) if rng.random() < 0.9 else 4
        name = b.fresh("a")
        b.body.append(MInstr(name, "alloca", "ptr", [], align, elem=ty))
        info = PtrInfo(MOperand("val", "ptr", name), alloc_size(ty), align, True, True, name)
        b.ptrs.append(info)
        if rng.random() < 0.75:
            if rng.random() < 0.4 or not is_int(ty):
                v = MOperand("const", "i8", value=random_const(rng, 8))
                b.body.append(MInstr("", "memset", "void", [info.op, v], 0, size=info.avail))
            else:
                b.s_store(info, ty)
    blocks: list[MBlock] = []
    for _ in range(weighted(rng, [(2, 15), (3, 25), (4, 25), (5, 18), (6, 10), (7, 7)])):
        b.statement()
    if diamond:
        blocks += _diamond(b)
        for _ in range(weighted(rng, [(0, 30), (1, 40), (2, 30)])):
            b.statement()
    ret_ty, ret = _return(b, nalloca == 0)
    label = "join" if diamond else "entry"
    blocks.append(MBlock(label, b.body, ("ret", ret)))
    return MFunction(params, blocks, ret_ty, globals_)


def _diamond(b: MemBuilder) -> list[MBlock]:
    """Close the entry block with a branch on %b (or a pointer compare);
    each arm makes a pointer and maybe stores; the join's phis merge them."""
    entry = MBlock("entry", b.body, ("br", b.cond(), "then", "else"))
    ptrs, ints, stored = list(b.ptrs), list(b.ints), list(b.stored)
    arms = []
    for label in ("then", "else"):
        b.body = []
        b.ptrs, b.ints, b.stored = list(ptrs), list(ints), list(stored)
        p = b.s_gep() if b.rng.random() < 0.6 else b.pick_ptr()
        if b.rng.random() < 0.6:
            b.s_store(p if b.rng.random() < 0.5 else None)
        v = b.s_load() if b.rng.random() < 0.35 else None
        arms.append((MBlock(label, b.body, ("jmp", "join")), p, v))
    b.body, b.ptrs, b.ints, b.stored = [], ptrs, ints, stored
    (t, pt, vt), (e, pe, ve) = arms
    name = b.fresh("m")
    b.body.append(MInstr(name, "phi", "ptr", [pt.op, pe.op], labels=["then", "else"]))
    merged = merge_info(MOperand("val", "ptr", name), pt, pe)
    b.ptrs.append(merged)
    if vt is not None and ve is not None and vt.ty == ve.ty:
        n2 = b.fresh("m")
        b.body.append(MInstr(n2, "phi", vt.ty, [vt, ve], labels=["then", "else"]))
        b.ints.append(MOperand("val", vt.ty, n2))
    b.access(merged)
    return [entry, t, e]


def _return(b: MemBuilder, may_return_ptr: bool) -> tuple[str, MOperand | None]:
    """Return the unused loaded/computed integers folded into one, else
    void after stores, or a pointer now and then (not with allocas:
    veriopt does not model returning one there)."""
    unused = [v for v in b.ints if b.uses.get(v.name, 0) == 0 and v.kind == "val"]
    if may_return_ptr and b.rng.random() < 0.08:
        return "ptr", b.use(b.pick_ptr().op)
    if not unused:
        if b.rng.random() < 0.5 and not any(i.op == "store" for i in b.body):
            unused = [b.s_load()]
        else:
            return "void", None
    ret = unused[-1]
    for other in reversed(unused[:-1][-2:]):
        ret = _fold(b, ret, other)
    return ret.ty, b.use(ret)


def _fold(b: MemBuilder, acc: MOperand, other: MOperand) -> MOperand:
    """acc op other, `other` cast to acc's width first."""
    if other.ty != acc.ty:
        wa, wo = bits_of(acc.ty), bits_of(other.ty)
        if not (is_int(acc.ty) and is_int(other.ty)):
            return acc
        op = "trunc" if wo > wa else ("zext" if b.rng.random() < 0.6 else "sext")
        n = b.fresh()
        b.emit(MInstr(n, op, acc.ty, [other]))
        other = MOperand("val", acc.ty, n)
    n = b.fresh()
    b.emit(MInstr(n, b.rng.choice(("add", "xor", "or", "and", "sub")), acc.ty, [acc, other]))
    return MOperand("val", acc.ty, n)
