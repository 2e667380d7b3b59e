"""Targets made by hand for floating-point functions: one small mutation
(a fast-math flag dropped or added, operands swapped, a predicate turned
into its ordered/unordered twin or a neighbour, `fsub x, 0.0` -> `x` and
the other identities, `fneg x` <-> `fsub -0.0, x`, minnum <-> minimum,
a nearby constant, a similar opcode or cast, undef or freeze at a use,
nofpclass added or dropped), so alive-tv's verdicts stay mixed.
"""
from __future__ import annotations

import copy
import random

from veriopt.verify.random_ir.fp_model import (
    FBINOPS, FMF, FP_FORMATS, FPREDICATES, FFunction, FInstr, FOperand, fp_bits, fp_fields,
    fp_is_nan, fp_make, has_fmf, is_fp, nofpclass_text,
)
from veriopt.verify.random_ir.instructions import weighted

# the ordered/unordered twin of each predicate, and its neighbours
TWIN = {"oeq": "ueq", "ogt": "ugt", "oge": "uge", "olt": "ult", "ole": "ule", "one": "une"}
TWIN.update({v: k for k, v in list(TWIN.items())})
NEAR_FPREDICATES = {
    "oeq": ("oge", "ole", "one"), "ogt": ("oge", "olt", "one"), "oge": ("ogt", "ole", "oeq"),
    "olt": ("ole", "ogt", "one"), "ole": ("olt", "oge", "oeq"), "one": ("oeq", "ogt", "olt"),
    "ueq": ("uge", "ule", "une"), "ugt": ("uge", "ult", "une"), "uge": ("ugt", "ule", "ueq"),
    "ult": ("ule", "ugt", "une"), "ule": ("ult", "uge", "ueq"), "une": ("ueq", "ugt", "ult"),
    "ord": ("uno", "oeq"), "uno": ("ord", "une"), "true": ("ord", "uno"), "false": ("ord", "uno"),
}
SWAPPED = {"ogt": "olt", "oge": "ole", "olt": "ogt", "ole": "oge",
           "ugt": "ult", "uge": "ule", "ult": "ugt", "ule": "uge"}
SIMILAR_FOPS = {"fadd": ("fsub",), "fsub": ("fadd",), "fmul": ("fdiv",), "fdiv": ("fmul", "frem"),
                "frem": ("fdiv",), "fptosi": ("fptoui",), "fptoui": ("fptosi",),
                "sitofp": ("uitofp",), "uitofp": ("sitofp",)}
SIMILAR_FP_INTRINSICS = {
    "minnum": ("minimum", "maxnum"), "minimum": ("minnum", "maximum"),
    "maxnum": ("maximum", "minnum"), "maximum": ("maxnum", "minimum"),
    "fma": ("fmuladd",), "fmuladd": ("fma",), "fabs": ("sqrt",), "sqrt": ("fabs",),
}
# `op` with this constant at this operand index, as if it were the identity
# (exact for fsub x, 0.0 and fadd x, -0.0; wrong on -0.0 for fadd x, 0.0)
IDENTITIES = {("fsub", 1, 0.0), ("fadd", 1, -0.0), ("fadd", 0, -0.0), ("fadd", 1, 0.0),
              ("fmul", 1, 1.0), ("fmul", 0, 1.0), ("fdiv", 1, 1.0), ("fsub", 1, -0.0)}


def _fresh(fn: FFunction, base: str) -> str:
    taken = {n for n, _, _ in fn.params} | {i.name for i in fn.body}
    k = 0
    while f"{base}{k}" in taken:
        k += 1
    return f"{base}{k}"


def _users(fn: FFunction, name: str) -> list[tuple[FInstr | None, int]]:
    out: list[tuple[FInstr | None, int]] = [
        (ins, k) for ins in fn.body for k, a in enumerate(ins.args)
        if a.kind == "val" and a.name == name]
    if fn.ret.kind == "val" and fn.ret.name == name:
        out.append((None, 0))
    return out


def _replace(fn: FFunction, ins: FInstr, by: FOperand) -> None:
    """Every use of `ins` reads `by` instead; `ins` goes."""
    for user, k in _users(fn, ins.name):
        if user is None:
            fn.ret = copy.copy(by)
        else:
            user.args[k] = copy.copy(by)
    fn.body.remove(ins)


def _m_drop_fmf(fn, rng):
    cands = [(ins, f) for ins in fn.body for f in ins.flags if f in FMF]
    if not cands:
        return None
    ins, f = rng.choice(cands)
    ins.flags.remove(f)
    return f"drop {f} from %{ins.name}"


def _m_add_fmf(fn, rng):
    cands = [(ins, f) for ins in fn.body if has_fmf(ins) for f in FMF if f not in ins.flags]
    if not cands:
        return None
    ins, f = rng.choice(cands)
    ins.flags.append(f)
    return f"add {f} to %{ins.name}"


def _m_swap(fn, rng):
    cands = []
    for ins in fn.body:
        if ins.op in FBINOPS or (ins.op == "fcmp") or (
                ins.op == "call" and len(ins.args) >= 2):
            cands.append((ins, 0, 1))
        elif ins.op == "select":
            cands.append((ins, 1, 2))
    cands = [c for c in cands if c[0].args[c[1]].text() != c[0].args[c[2]].text()]
    if not cands:
        return None
    ins, i, j = rng.choice(cands)
    ins.args[i], ins.args[j] = ins.args[j], ins.args[i]
    how = ""
    if ins.op == "fcmp" and ins.pred in SWAPPED and rng.random() < 0.5:
        ins.pred = SWAPPED[ins.pred]
        how = f", predicate -> {ins.pred}"
    return f"swap operands of %{ins.name} ({ins.callee or ins.op}{how})"


def _m_pred(fn, rng):
    cands = [ins for ins in fn.body if ins.op == "fcmp"]
    if not cands:
        return None
    ins = rng.choice(cands)
    old = ins.pred
    r = rng.random()
    if r < 0.5 and old in TWIN:
        ins.pred = TWIN[old]
    elif r < 0.85:
        ins.pred = rng.choice(NEAR_FPREDICATES[old])
    else:
        ins.pred = rng.choice([p for p in FPREDICATES if p != old])
    return f"fcmp {old} -> {ins.pred} in %{ins.name}"


def _m_identity(fn, rng):
    """`fsub x, 0.0` -> `x` and its kin: exact for some, wrong on -0.0 for others."""
    cands = []
    for ins in fn.body:
        for op, k, c in IDENTITIES:
            a = ins.args[k] if ins.op == op else None
            if a is not None and a.kind == "const" and a.value == fp_bits(c, a.ty) \
                    and ins.args[1 - k].ty == ins.ty:
                cands.append((ins, 1 - k))
    if not cands:   # make one: replace an fadd/fsub/fmul by its identity form
        ops = [ins for ins in fn.body if ins.op in ("fadd", "fsub", "fmul", "fdiv")]
        if not ops:
            return None
        ins = rng.choice(ops)
        x = ins.args[0]
        _replace(fn, ins, x)
        return f"%{ins.name} ({ins.op} {x.text()}, {ins.args[1].text()}) -> {x.text()}"
    ins, keep = rng.choice(cands)
    x = ins.args[keep]
    _replace(fn, ins, x)
    return f"%{ins.name} = {ins.text().split(' = ', 1)[1]} -> {x.text()}"


def _m_fneg(fn, rng):
    """`fneg x` <-> `fsub -0.0, x` (or `fmul x, -1.0`)."""
    cands = [ins for ins in fn.body if ins.op == "fneg"]
    cands += [ins for ins in fn.body if ins.op == "fsub" and ins.args[0].kind == "const"
              and ins.args[0].value == fp_bits(-0.0, ins.ty)]
    if not cands:
        return None
    ins = rng.choice(cands)
    if ins.op == "fneg":
        x = ins.args[0]
        if rng.random() < 0.8:
            ins.op, ins.args = "fsub", [FOperand("const", ins.ty, value=fp_bits(-0.0, ins.ty),
                                                 style="dec"), x]
            return f"fneg {x.text()} -> fsub -0.0, {x.text()} in %{ins.name}"
        ins.op, ins.args = "fmul", [x, FOperand("const", ins.ty, value=fp_bits(-1.0, ins.ty),
                                                style="dec")]
        return f"fneg {x.text()} -> fmul {x.text()}, -1.0 in %{ins.name}"
    ins.op, ins.args = "fneg", [ins.args[1]]
    return f"fsub -0.0, {ins.args[0].text()} -> fneg in %{ins.name}"


def _m_opcode(fn, rng):
    cands = [ins for ins in fn.body if ins.op in SIMILAR_FOPS
             or (ins.op == "call" and ins.callee in SIMILAR_FP_INTRINSICS)]
    if not cands:
        return None
    ins = rng.choice(cands)
    if ins.op == "call":
        old = ins.callee
        ins.callee = rng.choice(SIMILAR_FP_INTRINSICS[old])
        return f"{old} -> {ins.callee} in %{ins.name}"
    old = ins.op
    ins.op = rng.choice(SIMILAR_FOPS[old])
    ins.flags = [f for f in ins.flags if f in FMF]
    return f"{old} -> {ins.op} in %{ins.name}"


def _neighbour(bits: int, ty: str, rng: random.Random) -> int:
    w, e, m = FP_FORMATS[ty]
    sign, _, mant = fp_fields(bits, ty)
    top = (1 << e) - 1
    r = rng.random()
    if fp_is_nan(bits, ty):
        return rng.choice((fp_make(ty, sign, top, mant ^ 1 if mant ^ 1 else 3),
                           fp_make(ty, 1 - sign, top, mant), fp_make(ty, sign, top, 0)))
    if r < 0.3:
        return bits ^ (1 << (w - 1))                    # the sign
    if r < 0.6:
        return (bits + rng.choice((1, -1))) % (1 << w)  # one ulp
    return rng.choice((fp_make(ty, sign, top, 1 << (m - 1)), fp_make(ty, sign, top, 0),
                       fp_make(ty, sign, 0, 0), fp_bits(1.0, ty), fp_make(ty, sign, 0, 1)))


def _m_const(fn, rng):
    cands = [(ins, k) for ins in fn.body for k, a in enumerate(ins.args)
             if a.kind == "const" and is_fp(a.ty)]
    if not cands:
        return None
    ins, k = rng.choice(cands)
    a = ins.args[k]
    new = _neighbour(a.value, a.ty, rng)
    if new == a.value:
        return None
    ins.args[k] = FOperand("const", a.ty, value=new, style=a.style)
    return f"constant {a.text()} -> {ins.args[k].text()} in %{ins.name}"


def _m_undef(fn, rng):
    cands = [(ins, k) for ins in fn.body for k, a in enumerate(ins.args) if a.kind == "val"]
    if not cands:
        return None
    ins, k = rng.choice(cands)
    old = ins.args[k].text()
    ins.args[k] = FOperand("undef", ins.args[k].ty)
    return f"use of {old} in %{ins.name} -> undef"


def _m_freeze(fn, rng):
    cands = [(ins, k) for ins in fn.body for k, a in enumerate(ins.args) if a.kind == "val"]
    cands += [(None, 0)] if fn.ret.kind == "val" else []
    if not cands:
        return None
    ins, k = rng.choice(cands)
    a = ins.args[k] if ins is not None else fn.ret
    fz = FInstr(_fresh(fn, "fr"), "freeze", a.ty, [FOperand("val", a.ty, a.name)])
    if ins is None:
        fn.body.append(fz)
        fn.ret = FOperand("val", a.ty, fz.name)
        return f"freeze the returned %{a.name}"
    fn.body.insert(fn.body.index(ins), fz)
    ins.args[k] = FOperand("val", a.ty, fz.name)
    return f"use of %{a.name} in %{ins.name} -> freeze"


def _m_drop_unary(fn, rng):
    """Drop an fabs, fneg, fpext+fptrunc-like no-op or freeze: x for f(x)."""
    cands = [ins for ins in fn.body if (ins.op in ("fneg", "freeze") or ins.callee in (
        "fabs", "sqrt") or (ins.op == "select" and is_fp(ins.ty))) and ins.args[-1].ty == ins.ty]
    if not cands:
        return None
    ins = rng.choice(cands)
    x = ins.args[1] if ins.op == "select" else ins.args[0]
    _replace(fn, ins, x)
    return f"%{ins.name} ({ins.callee or ins.op}) -> {x.text()}"


def _m_nofpclass(fn, rng):
    cands = [(i, a) for i, (_, t, attrs) in enumerate(fn.params) if is_fp(t)
             for a in attrs if a.startswith("nofpclass")]
    if cands and rng.random() < 0.5:
        i, a = rng.choice(cands)
        fn.params[i][2].remove(a)
        return f"drop {a} from %{fn.params[i][0]}"
    fps = [i for i, (_, t, attrs) in enumerate(fn.params) if is_fp(t)
           and not any(a.startswith("nofpclass") for a in attrs)]
    if not fps:
        return None
    i = rng.choice(fps)
    a = nofpclass_text(weighted(rng, [(0x3, 4), (0x204, 3), (0x60, 2), (0x90, 2),
                                      (1 << rng.randrange(10), 3)]))
    fn.params[i][2].append(a)
    return f"add {a} to %{fn.params[i][0]}"


def _m_rename(fn, rng):
    from veriopt.verify.random_ir.mutations import rename_params
    return rename_params(fn, rng)


FP_MUTATIONS = {   # name: (function, weight)
    "drop-fmf": (_m_drop_fmf, 8), "add-fmf": (_m_add_fmf, 12), "swap": (_m_swap, 10),
    "predicate": (_m_pred, 10), "identity": (_m_identity, 8), "fneg": (_m_fneg, 5),
    "opcode": (_m_opcode, 10), "constant": (_m_const, 12), "undef-use": (_m_undef, 3),
    "freeze-use": (_m_freeze, 2), "drop-unary": (_m_drop_unary, 5),
    "nofpclass": (_m_nofpclass, 4), "rename-params": (_m_rename, 2),
}


def fp_mutate(fn: FFunction, rng: random.Random,
              kind: str | None = None) -> tuple[FFunction, str] | None:
    """A copy of `fn` with one small FP mutation, or None if none applies."""
    for _ in range(12):
        k = kind or weighted(rng, [(n, w) for n, (_, w) in FP_MUTATIONS.items()])
        g = copy.deepcopy(fn)
        desc = FP_MUTATIONS[k][0](g, rng)
        if desc is not None and g.text("tgt") != fn.text("tgt"):
            return g, f"{k}: {desc}"
    return None
