"""Targets made by hand for memory functions: one small rewrite, of the
kind a memory optimisation makes, right or wrong depending on aliasing,
bounds and alignment (a store dropped, duplicated or moved, two
neighbours swapped, a gep offset, access width or alignment changed, a
stored value forwarded to a load, an earlier load reused, a dead store to
an alloca removed, inbounds/nuw toggled, memcpy <-> memmove, a pointer
operand or compare changed, a parameter attribute added or dropped).
"""
from __future__ import annotations

import copy
import random

from veriopt.verify.random_ir.instructions import random_const, weighted
from veriopt.verify.random_ir.mem_model import (
    MEM_OPS, MFunction, MInstr, MOperand, bits_of, is_int,
)

WIDER = {"i8": ("i16", "i32"), "i16": ("i8", "i32"), "i32": ("i16", "i64", "i8"),
         "i64": ("i32",), "i1": ("i8",), "i12": ("i16", "i8"), "i24": ("i32", "i16")}


def _sites(fn: MFunction, ops=None):
    """(block index, position, instruction) for every instruction with an op in `ops`."""
    return [(k, j, ins) for k, b in enumerate(fn.blocks) for j, ins in enumerate(b.body)
            if ops is None or ins.op in ops]


def _defs_at(fn: MFunction, k: int, j: int) -> set[str]:
    """Names usable before position j of block k (entry dominates every block)."""
    names = {n for n, _, _ in fn.params}
    if k:
        names |= {i.name for i in fn.blocks[0].body if i.name}
    names |= {i.name for i in fn.blocks[k].body[:j] if i.name}
    return names


def _operands(fn: MFunction):
    """Every operand slot: (container list, index)."""
    for b in fn.blocks:
        for ins in b.body:
            for x in range(len(ins.args)):
                yield ins.args, x
        if b.term[0] in ("ret", "br") and b.term[1] is not None:
            yield b, -1


def _replace_uses(fn: MFunction, name: str, by: MOperand) -> None:
    for holder, x in list(_operands(fn)):
        if x == -1:
            if holder.term[1].kind == "val" and holder.term[1].name == name:
                holder.term = (holder.term[0], copy.copy(by), *holder.term[2:])
        elif holder[x].kind == "val" and holder[x].name == name:
            holder[x] = copy.copy(by)


def _root(fn: MFunction, op: MOperand) -> MInstr | None:
    """The alloca a pointer derives from through geps, if any."""
    defs = {i.name: i for i in fn.instrs() if i.name}
    while op.kind == "val" and op.name in defs:
        d = defs[op.name]
        if d.op == "alloca":
            return d
        if d.op != "gep":
            return None
        op = d.args[0]
    return None


def _m_drop_store(fn, rng):
    sites = _sites(fn, MEM_OPS)
    if not sites:
        return None
    k, j, ins = rng.choice(sites)
    del fn.blocks[k].body[j]
    return f"drop {ins.op} to {ins.args[-1 if ins.op == 'store' else 0].text()}"


def _m_dead_alloca_store(fn, rng):
    sites = [s for s in _sites(fn, MEM_OPS)
             if _root(fn, s[2].args[1] if s[2].op == "store" else s[2].args[0])]
    if not sites:
        return None
    k, j, ins = rng.choice(sites)
    del fn.blocks[k].body[j]
    return f"remove {ins.op} to the alloca-based {(ins.args[1] if ins.op == 'store' else ins.args[0]).text()}"


def _m_dup_store(fn, rng):
    sites = _sites(fn, MEM_OPS)
    if not sites:
        return None
    k, j, ins = rng.choice(sites)
    body = fn.blocks[k].body
    pos = rng.randint(j + 1, len(body))
    body.insert(pos, copy.deepcopy(ins))
    return f"repeat the {ins.op} at {j} at {pos}"


def _m_move(fn, rng):
    """A store, memory intrinsic or load moved elsewhere in its block
    (after the phis, before the users, after its operands)."""
    sites = _sites(fn, MEM_OPS + ("load",))
    if not sites:
        return None
    k, j, ins = rng.choice(sites)
    body = fn.blocks[k].body
    del body[j]
    first = sum(1 for i in body if i.op == "phi")
    users = [p for p, i in enumerate(body) if ins.name and any(
        a.kind == "val" and a.name == ins.name for a in i.args)]
    spots = [p for p in range(first, min(users, default=len(body)) + 1) if p != j
             and all(a.kind != "val" or a.name in _defs_at(fn, k, p) for a in ins.args)]
    if not spots:
        return None
    pos = rng.choice(spots)
    body.insert(pos, ins)
    return f"move the {ins.op} at {j} to {pos}"


def _m_swap(fn, rng):
    pairs = []
    for k, b in enumerate(fn.blocks):
        for j in range(len(b.body) - 1):
            x, y = b.body[j], b.body[j + 1]
            if "phi" in (x.op, y.op) or "alloca" in (x.op, y.op):
                continue
            if x.name and any(a.kind == "val" and a.name == x.name for a in y.args):
                continue
            if x.op in MEM_OPS + ("load",) or y.op in MEM_OPS + ("load",):
                pairs.append((k, j))
    if not pairs:
        return None
    k, j = rng.choice(pairs)
    b = fn.blocks[k].body
    b[j], b[j + 1] = b[j + 1], b[j]
    return f"swap the {b[j + 1].op} and the {b[j].op} at {j}"


def _m_offset(fn, rng):
    sites = [s for s in _sites(fn, ("gep",)) if s[2].args[-1].kind == "const"]
    if not sites:
        return None
    _, _, ins = rng.choice(sites)
    idx = ins.args[-1]
    old = idx.value
    idx.value = rng.choice([v for v in (old - 1, old + 1, 0, old + 2) if v != old and v >= -1])
    if idx.value < 0:
        ins.flags = [f for f in ins.flags if f != "nuw"]
    return f"%{ins.name}: index {old} -> {idx.value}"


def _m_width(fn, rng):
    sites = [s for s in _sites(fn, ("store", "load")) if s[2].ty in WIDER
             and (s[2].op == "load" or s[2].args[0].kind == "const")]
    if not sites:
        return None
    k, j, ins = rng.choice(sites)
    new = rng.choice(WIDER[ins.ty])
    old = ins.ty
    if ins.op == "store":
        ins.ty = ins.args[0].ty = new
        ins.args[0].value %= 1 << bits_of(new)
        return f"store {old} -> {new}"
    body = fn.blocks[k].body
    name = ins.name
    ins.name, ins.ty = name + "w", new
    cast = "trunc" if bits_of(new) > bits_of(old) else rng.choice(("zext", "sext"))
    body.insert(j + 1, MInstr(name, cast, old, [MOperand("val", new, ins.name)]))
    return f"%{name}: load {old} -> load {new} and {cast}"


def _m_align(fn, rng):
    sites = _sites(fn, ("store", "load", "alloca", "memset", "memcpy", "memmove"))
    if not sites:
        return None
    _, _, ins = rng.choice(sites)
    old = ins.align
    choices = [a for a in (0 if ins.op in ("memset", "memcpy", "memmove") else 1, 2, 4, 8, 16)
               if a != old and (a or old)]
    ins.align = rng.choice(choices)
    return f"{ins.op} align {old} -> {ins.align}"


def _m_forward(fn, rng):
    """A load replaced by a value stored earlier (to the same pointer, mostly)."""
    cands = []
    for k, j, ld in _sites(fn, ("load",)):
        stores = [(i, p) for kk in ({0, k}) for p, i in enumerate(fn.blocks[kk].body)
                  if i.op == "store" and i.ty == ld.ty and (kk != k or p < j)]
        same = [s for s in stores if s[0].args[1].text() == ld.args[0].text()]
        pool = same if same and rng.random() < 0.8 else stores
        if pool:
            cands.append((k, j, ld, pool[-1][0] if rng.random() < 0.8 else rng.choice(pool)[0]))
    if not cands:
        return None
    k, j, ld, st = rng.choice(cands)
    del fn.blocks[k].body[j]
    _replace_uses(fn, ld.name, st.args[0])
    return f"forward {st.args[0].text()} to %{ld.name}"


def _m_reuse_load(fn, rng):
    cands = []
    for k, j, ld in _sites(fn, ("load",)):
        for kk in ({0, k}):
            for p, i in enumerate(fn.blocks[kk].body):
                if i is not ld and i.op == "load" and i.ty == ld.ty and (kk != k or p < j) \
                        and (i.args[0].text() == ld.args[0].text() or rng.random() < 0.2):
                    cands.append((k, j, ld, i))
    if not cands:
        return None
    k, j, ld, early = rng.choice(cands)
    del fn.blocks[k].body[j]
    _replace_uses(fn, ld.name, MOperand("val", ld.ty, early.name))
    return f"%{ld.name} reuses %{early.name}"


def _m_inbounds(fn, rng):
    sites = _sites(fn, ("gep",))
    if not sites:
        return None
    _, _, ins = rng.choice(sites)
    old = list(ins.flags)
    if "inbounds" not in old:
        ins.flags = ["inbounds"] + (["nuw"] if rng.random() < 0.3 else [])
    elif "nuw" in old:
        ins.flags = rng.choice((["inbounds"], []))
    else:
        ins.flags = rng.choice((["inbounds", "nuw"], []))
    return f"%{ins.name}: [{' '.join(old)}] -> [{' '.join(ins.flags)}]"


def _m_const(fn, rng):
    sites = [s for s in _sites(fn, ("store", "memset")) if s[2].args[0 if s[2].op == "store"
                                                                        else 1].kind == "const"]
    if not sites:
        return None
    _, _, ins = rng.choice(sites)
    a = ins.args[0 if ins.op == "store" else 1]
    old = a.text()
    w = bits_of(a.ty)
    while a.text() == old:
        a.value = rng.choice((a.value + 1, a.value ^ 1, random_const(rng, w), 0)) % (1 << w)
    return f"{ins.op} {old} -> {a.text()}"


def _m_memop(fn, rng):
    sites = _sites(fn, ("memset", "memcpy", "memmove"))
    if not sites:
        return None
    _, _, ins = rng.choice(sites)
    if ins.op != "memset" and rng.random() < 0.5:
        old, ins.op = ins.op, "memmove" if ins.op == "memcpy" else "memcpy"
        return f"{old} -> {ins.op}"
    old = ins.size
    ins.size = max(1, old + rng.choice((-1, 1, 1, 2)))
    return f"{ins.op} size {old} -> {ins.size}" if ins.size != old else None


def _m_pointer(fn, rng):
    """A load/store/compare reads another pointer defined before it."""
    sites = _sites(fn, ("load", "store", "icmp", "memset", "memcpy", "memmove", "gep", "select"))
    if not sites:
        return None
    k, j, ins = rng.choice(sites)
    slots = [x for x, a in enumerate(ins.args) if a.ty == "ptr"]
    if not slots:
        return None
    x = rng.choice(slots)
    ptrs = [MOperand("val", "ptr", n) for n, t, _ in fn.params if t == "ptr"]
    ptrs += [MOperand("val", "ptr", i.name) for kk in {0, k} for i in fn.blocks[kk].body
             if i.ty == "ptr" and i.name and i.name in _defs_at(fn, k, j)]
    ptrs += [MOperand("global", "ptr", g.name) for g in fn.globals]
    if ins.op == "icmp":
        ptrs.append(MOperand("null", "ptr"))
    ptrs = [p for p in ptrs if p.text() != ins.args[x].text()]
    if not ptrs:
        return None
    old = ins.args[x].text()
    ins.args[x] = rng.choice(ptrs)
    return f"{ins.op} reads {ins.args[x].text()} for {old}"


def _m_pred(fn, rng):
    sites = _sites(fn, ("icmp", "select"))
    if not sites:
        return None
    _, _, ins = rng.choice(sites)
    if ins.op == "icmp":
        ins.pred = {"eq": "ne", "ne": "eq"}[ins.pred]
        return f"%{ins.name}: predicate -> {ins.pred}"
    ins.args[1], ins.args[2] = ins.args[2], ins.args[1]
    return f"%{ins.name}: arms swapped"


def _m_attr(fn, rng):
    ptrs = [k for k, (_, t, _) in enumerate(fn.params) if t == "ptr"]
    if not ptrs:
        return None
    k = rng.choice(ptrs)
    name, ty, attrs = fn.params[k]
    attrs = list(attrs)
    if attrs and rng.random() < 0.5:
        gone = attrs.pop(rng.randrange(len(attrs)))
        fn.params[k] = (name, ty, attrs)
        return f"drop {gone} from %{name}"
    new = rng.choice(("noundef", "nonnull", "align 4", "align 8", "dereferenceable(4)",
                      "dereferenceable(8)"))
    key = new.split("(")[0].split(" ")[0]
    attrs = [a for a in attrs if not a.startswith(key)]
    order = ("noundef", "nonnull", "align", "dereferenceable")
    attrs = sorted(attrs + [new], key=lambda a: order.index(a.split("(")[0].split(" ")[0]))
    fn.params[k] = (name, ty, attrs)
    return f"%{name} gets {new}"


MEM_MUTATIONS = {   # name: (function, weight)
    "drop-store": (_m_drop_store, 9), "dead-alloca-store": (_m_dead_alloca_store, 7),
    "dup-store": (_m_dup_store, 5), "move": (_m_move, 10), "swap": (_m_swap, 10),
    "offset": (_m_offset, 9), "width": (_m_width, 7), "align": (_m_align, 8),
    "forward": (_m_forward, 20), "reuse-load": (_m_reuse_load, 10), "inbounds": (_m_inbounds, 8),
    "constant": (_m_const, 5), "memop": (_m_memop, 6), "pointer": (_m_pointer, 6),
    "predicate": (_m_pred, 5), "attribute": (_m_attr, 6),
}


def mem_mutate(fn: MFunction, rng: random.Random,
               kind: str | None = None) -> tuple[MFunction, str] | None:
    """A copy of `fn` with one small memory rewrite, or None if none applies."""
    for _ in range(12):
        k = kind or weighted(rng, [(n, w) for n, (_, w) in MEM_MUTATIONS.items()])
        g = copy.deepcopy(fn)
        desc = MEM_MUTATIONS[k][0](g, rng)
        if desc is not None and g.text("tgt") != fn.text("tgt"):
            return g, f"{k}: {desc}"
    return None
