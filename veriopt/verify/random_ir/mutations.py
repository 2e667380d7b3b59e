"""Targets made by hand: the source with one small mutation (swapped
operands, a flag added or dropped, a nearby constant or predicate or
opcode, undef or freeze at a use, a value used twice, parameters renamed),
so that alive-tv's verdicts stay mixed between correct and incorrect.
"""
from __future__ import annotations

import copy
import random
import re

from veriopt.verify.random_ir.instructions import weighted
from veriopt.verify.random_ir.model import (
    BINOP_FLAGS, BINOPS, CAST_FLAGS, COMMUTATIVE, INTRINSICS, PREDICATES, Function, Instr,
    Operand, const_text,
)

NEAR_PREDICATES = {
    "eq": ("ne", "ule", "uge", "sle"), "ne": ("eq", "ugt", "ult", "sgt"),
    "ugt": ("uge", "ult", "sgt", "ne"), "uge": ("ugt", "ule", "sge", "eq"),
    "ult": ("ule", "ugt", "slt", "ne"), "ule": ("ult", "uge", "sle", "eq"),
    "sgt": ("sge", "slt", "ugt", "ne"), "sge": ("sgt", "sle", "uge", "eq"),
    "slt": ("sle", "sgt", "ult", "ne"), "sle": ("slt", "sge", "ule", "eq"),
}
SIMILAR_OPS = {
    "add": ("or", "xor", "sub"), "sub": ("add", "xor"), "or": ("add", "xor", "and"),
    "xor": ("or", "add", "sub"), "and": ("or", "xor"), "lshr": ("ashr",), "ashr": ("lshr",),
    "udiv": ("sdiv", "lshr", "urem"), "sdiv": ("udiv", "ashr", "srem"),
    "urem": ("srem", "and"), "srem": ("urem",), "shl": ("mul",), "mul": ("shl",),
    "zext": ("sext",), "sext": ("zext",),
}
SIMILAR_INTRINSICS = {
    "umin": ("smin", "umax"), "smin": ("umin", "smax"), "umax": ("smax", "umin"),
    "smax": ("umax", "smin"), "uadd.sat": ("sadd.sat",), "sadd.sat": ("uadd.sat",),
    "usub.sat": ("ssub.sat",), "ssub.sat": ("usub.sat",), "ushl.sat": ("sshl.sat",),
    "sshl.sat": ("ushl.sat",), "ctlz": ("cttz",), "cttz": ("ctlz",), "fshl": ("fshr",),
    "fshr": ("fshl",), "bswap": ("bitreverse",), "bitreverse": ("bswap", "ctpop"),
    "ctpop": ("bitreverse",),
}
NONCOMMUTATIVE_INTRINSICS = {"usub.sat", "ssub.sat", "ushl.sat", "sshl.sat", "fshl", "fshr"}


def _users(fn: Function, name: str) -> list[tuple[Instr | None, int]]:
    out: list[tuple[Instr | None, int]] = []
    for ins in fn.body:
        out += [(ins, k) for k, a in enumerate(ins.args) if a.kind == "val" and a.name == name]
    if fn.ret.kind == "val" and fn.ret.name == name:
        out.append((None, 0))
    return out


def _fresh(fn: Function, base: str) -> str:
    taken = {n for n, _, _ in fn.params} | {i.name for i in fn.body}
    k = 0
    while f"{base}{k}" in taken:
        k += 1
    return f"{base}{k}"


def _m_swap(fn, rng):
    cands = []
    for ins in fn.body:
        if ins.op in BINOPS and ins.op not in COMMUTATIVE:
            cands.append((ins, 0, 1))
        elif ins.op == "icmp" and ins.pred not in ("eq", "ne"):
            cands.append((ins, 0, 1))
        elif ins.op == "select":
            cands.append((ins, 1, 2))
        elif ins.op == "call" and ins.callee in NONCOMMUTATIVE_INTRINSICS:
            cands.append((ins, 0, 1))
    cands = [c for c in cands if c[0].args[c[1]].text() != c[0].args[c[2]].text()]
    if not cands:
        return None
    ins, i, j = rng.choice(cands)
    ins.args[i], ins.args[j] = ins.args[j], ins.args[i]
    return f"swap operands of %{ins.name} ({ins.op if ins.op != 'call' else ins.callee})"


def _flags_of(ins: Instr) -> tuple[str, ...]:
    if ins.op in BINOP_FLAGS:
        return BINOP_FLAGS[ins.op]
    if ins.op in CAST_FLAGS:
        return CAST_FLAGS[ins.op]
    if ins.op == "icmp":
        return ("samesign",)
    return ()


def _m_drop_flag(fn, rng):
    cands = [(ins, f) for ins in fn.body for f in ins.flags]
    if not cands:
        return None
    ins, f = rng.choice(cands)
    ins.flags.remove(f)
    return f"drop {f} from %{ins.name}"


def _m_add_flag(fn, rng):
    cands = [(ins, f) for ins in fn.body for f in _flags_of(ins) if f not in ins.flags]
    cands = [(ins, f) for ins, f in cands if not (ins.op == "trunc" and ins.width == 1 and f == "nsw")]
    if not cands:
        return None
    ins, f = rng.choice(cands)
    order = _flags_of(ins)
    ins.flags = [g for g in order if g in ins.flags or g == f]
    return f"add {f} to %{ins.name}"


def _m_const(fn, rng):
    cands = [(ins, k) for ins in fn.body for k, a in enumerate(ins.args) if a.kind == "const"]
    if not cands:
        return None
    ins, k = rng.choice(cands)
    a = ins.args[k]
    m = 1 << a.width
    old = a.value % m
    options = {(old + 1) % m, (old - 1) % m, 0, m - 1, 1 << rng.randrange(a.width)}
    options.discard(old)
    if not options:
        return None
    new = rng.choice(sorted(options))
    ins.args[k] = Operand("const", a.width, value=new)
    return (f"constant {const_text(old, a.width)} -> {const_text(new, a.width)} "
            f"in %{ins.name}")


def _m_pred(fn, rng):
    cands = [ins for ins in fn.body if ins.op == "icmp"]
    if not cands:
        return None
    ins = rng.choice(cands)
    old = ins.pred
    ins.pred = rng.choice(NEAR_PREDICATES[old]) if rng.random() < 0.8 else \
        rng.choice([p for p in PREDICATES if p != old])
    if ins.pred in ("eq", "ne") and "samesign" in ins.flags and rng.random() < 0.5:
        ins.flags.remove("samesign")
    return f"icmp {old} -> {ins.pred} in %{ins.name}"


def _value_uses(fn):
    return [(ins, k) for ins in fn.body for k, a in enumerate(ins.args) if a.kind == "val"]


def _m_undef(fn, rng):
    cands = [(ins, k) for ins, k in _value_uses(fn) if ins.args[k].width <= 16]
    if not cands:
        return None
    ins, k = rng.choice(cands)
    old = ins.args[k].text()
    ins.args[k] = Operand("undef", ins.args[k].width)
    return f"use of {old} in %{ins.name} -> undef"


def _m_freeze(fn, rng):
    cands = _value_uses(fn) + ([(None, 0)] if fn.ret.kind == "val" else [])
    if not cands:
        return None
    ins, k = rng.choice(cands)
    a = ins.args[k] if ins is not None else fn.ret
    fz = Instr(_fresh(fn, "fr"), "freeze", a.width, [Operand("val", a.width, a.name)])
    if ins is None:
        fn.body.append(fz)
        fn.ret = Operand("val", a.width, fz.name)
        return f"freeze the returned %{a.name}"
    fn.body.insert(fn.body.index(ins), fz)
    ins.args[k] = Operand("val", a.width, fz.name)
    return f"use of %{a.name} in %{ins.name} -> freeze"


def _m_drop_freeze(fn, rng):
    cands = [ins for ins in fn.body if ins.op == "freeze"]
    if not cands:
        return None
    fz = rng.choice(cands)
    src = fz.args[0]
    for user, k in _users(fn, fz.name):
        if user is None:
            fn.ret = Operand(src.kind, src.width, src.name, src.value)
        else:
            user.args[k] = Operand(src.kind, src.width, src.name, src.value)
    fn.body.remove(fz)
    return f"drop freeze %{fz.name}"


def _m_opcode(fn, rng):
    cands = [ins for ins in fn.body
             if ins.op in SIMILAR_OPS or (ins.op == "call" and ins.callee in SIMILAR_INTRINSICS)]
    if not cands:
        return None
    ins = rng.choice(cands)
    if ins.op == "call":
        old = ins.callee
        new = rng.choice([c for c in SIMILAR_INTRINSICS[old]
                          if c != "bswap" or ins.width % 16 == 0] or [old])
        if new == old:
            return None
        n_old, _ = INTRINSICS[old]
        n_new, imm = INTRINSICS[new]
        if n_new != n_old:
            return None
        ins.callee = new
        ins.immarg = (ins.immarg if ins.immarg is not None else rng.random() < 0.5) if imm else None
        return f"{old} -> {new} in %{ins.name}"
    old = ins.op
    new = rng.choice(SIMILAR_OPS[old])
    if new in ("lshr", "ashr") and old in ("udiv", "sdiv"):
        # x / 2^k vs x >> k: keep it meaningful by making the shift amount a log
        b = ins.args[1]
        if b.kind != "const" or b.value % (1 << b.width) == 0:
            return None
        v = b.value % (1 << b.width)
        ins.args[1] = Operand("const", b.width, value=max(v.bit_length() - 1, 0))
    if new == "and" and old == "urem":
        b = ins.args[1]
        if b.kind != "const":
            return None
        ins.args[1] = Operand("const", b.width, value=(b.value - 1) % (1 << b.width))
    if new == "shl" and old == "mul":
        b = ins.args[1]
        if b.kind != "const":
            return None
        v = b.value % (1 << b.width)
        ins.args[1] = Operand("const", b.width, value=max(v.bit_length() - 1, 0))
    if new == "mul" and old == "shl":
        b = ins.args[1]
        if b.kind != "const" or b.value % (1 << b.width) >= b.width:
            return None
        ins.args[1] = Operand("const", b.width, value=1 << (b.value % (1 << b.width)))
    ins.op = new
    ins.flags = [f for f in ins.flags if f in _flags_of(ins)]
    if old == "or" and "disjoint" in ins.flags:
        ins.flags.remove("disjoint")
    return f"{old} -> {new} in %{ins.name}"


def _m_dup_use(fn, rng):
    """`mul x, 2` -> `add x, x`, `shl x, k` -> k doublings starting from
    `add x, x`, `add x, x` -> `mul x, 2`, or `op x, y` -> `op x, x`: the
    same value used more often (wrong where x may be undef)."""
    special = []
    for ins in fn.body:
        if ins.op in ("mul", "shl") and ins.args[0].kind == "val" and ins.args[1].kind == "const":
            v = ins.args[1].value % (1 << ins.width)
            k = v if ins.op == "shl" else (v.bit_length() - 1 if v and v & (v - 1) == 0 else 0)
            if 1 <= k <= 3 and k < ins.width:
                special.append((ins, k))
        if ins.op == "add" and ins.args[0].kind == "val" and ins.args[0].text() == ins.args[1].text():
            special.append((ins, 0))
    if special and rng.random() < 0.85:
        ins, k = rng.choice(special)
        x = ins.args[0]
        if k == 0:
            op, c = rng.choice((("mul", 2), ("shl", 1)))
            ins.op, ins.args = op, [x, Operand("const", ins.width, value=c)]
            ins.flags = [f for f in ins.flags if f in BINOP_FLAGS[op]]
            return f"add %{x.name}, %{x.name} -> {op} %{x.name}, {c} in %{ins.name}"
        old = f"{ins.op} %{x.name}, {ins.args[1].text()}"
        flags = [f for f in ins.flags if f in BINOP_FLAGS["add"]]
        cur = copy.copy(x)
        at = fn.body.index(ins)
        for step in range(k - 1):
            d = Instr(_fresh(fn, "dbl"), "add", ins.width, [copy.copy(cur), copy.copy(cur)], list(flags))
            fn.body.insert(at, d)
            at += 1
            cur = Operand("val", ins.width, d.name)
        ins.op, ins.args, ins.flags = "add", [copy.copy(cur), copy.copy(cur)], flags
        how = f"add %{x.name}, %{x.name}" if k == 1 else f"{k} doublings (add %v, %v)"
        return f"{old} -> {how} in %{ins.name}"
    cands = [(ins, i, j) for ins in fn.body for i in range(len(ins.args))
             for j in range(len(ins.args))
             if i != j and ins.args[i].kind == "val" and ins.args[i].width == ins.args[j].width
             and ins.args[i].text() != ins.args[j].text() and not (ins.op == "select" and 0 in (i, j))]
    if not cands:
        return None
    ins, i, j = rng.choice(cands)
    old = ins.args[j].text()
    ins.args[j] = copy.copy(ins.args[i])
    return f"{old} in %{ins.name} -> {ins.args[i].text()} (the same value used twice)"


def rename_params(fn: Function, rng: random.Random) -> str | None:
    """Permute the parameter names (a no-op for refinement, which matches
    parameters by position): src (%x, %y) vs tgt (%y, %x)."""
    if len(fn.params) < 2:
        return None
    names = [n for n, _, _ in fn.params]
    perm = names[:]
    while perm == names:
        rng.shuffle(perm)
    mapping = dict(zip(names, perm))
    fn.params = [(mapping[n], w, nu) for n, w, nu in fn.params]
    for ins in fn.body:
        for a in ins.args:
            if a.kind == "val" and a.name in mapping:
                a.name = mapping[a.name]
    if fn.ret.kind == "val" and fn.ret.name in mapping:
        fn.ret.name = mapping[fn.ret.name]
    return "parameters renamed " + ", ".join(f"%{a}->%{b}" for a, b in mapping.items())


def rename_params_text(fn_text: str, params: list[str], rng: random.Random) -> tuple[str, str] | None:
    """rename_params on a function's text (for opt's output)."""
    if len(params) < 2:
        return None
    perm = params[:]
    while perm == params:
        rng.shuffle(perm)
    mapping = dict(zip(params, perm))
    pat = re.compile(r"%(" + "|".join(map(re.escape, params)) + r")(?![\w.$-])")
    return (pat.sub(lambda m: "%" + mapping[m.group(1)], fn_text),
            "parameters renamed " + ", ".join(f"%{a}->%{b}" for a, b in mapping.items()))


def swap_param_names(fn: Function, rng: random.Random) -> str | None:
    """Swap the names of two parameters of one type in the signature only:
    the body now reads them the other way round (wrong unless symmetric,
    and invisible to a checker that pairs parameters by name)."""
    idx = [(i, j) for i in range(len(fn.params)) for j in range(i + 1, len(fn.params))
           if fn.params[i][1] == fn.params[j][1]]
    if not idx:
        return None
    i, j = rng.choice(idx)
    (a, wa, na), (b, wb, nb) = fn.params[i], fn.params[j]
    fn.params[i], fn.params[j] = (b, wa, na), (a, wb, nb)
    return f"parameter names %{a} and %{b} swapped in the signature only"


MUTATIONS = {   # name: (function, weight); weights keep alive-tv's verdicts mixed
    "swap": (_m_swap, 12), "drop-flag": (_m_drop_flag, 4), "add-flag": (_m_add_flag, 10),
    "constant": (_m_const, 12), "predicate": (_m_pred, 10), "undef-use": (_m_undef, 7),
    "freeze-use": (_m_freeze, 3), "drop-freeze": (_m_drop_freeze, 6), "opcode": (_m_opcode, 12),
    "dup-use": (_m_dup_use, 10), "rename-params": (rename_params, 2),
    "swap-param-names": (swap_param_names, 4),
}


def mutate(fn: Function, rng: random.Random, kind: str | None = None) -> tuple[Function, str] | None:
    """A copy of `fn` with one small mutation, or None if none applies."""
    for _ in range(12):
        k = kind or weighted(rng, [(n, w) for n, (_, w) in MUTATIONS.items()])
        g = copy.deepcopy(fn)
        desc = MUTATIONS[k][0](g, rng)
        if desc is not None and g.text("tgt") != fn.text("tgt"):
            if k != "rename-params" and rng.random() < 0.1:
                extra = rename_params(g, rng)
                if extra:
                    desc += "; " + extra
            return g, f"{k}: {desc}"
    return None
