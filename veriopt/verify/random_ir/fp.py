"""Random floating-point functions: interesting FP constants (signed zeros,
infinities, NaNs with payloads, signalling NaNs, subnormals, the edges of
the integer ranges), and `FBuilder`, which draws one instruction at a time
(FP arithmetic with fast-math flags, fcmp with every predicate, the FP
intrinsics, casts between FP widths and to and from integers, selects and
the integer ops the comparisons feed).

Types favour half, whose queries stay fast for both checkers; a second FP
operand is a constant more often than not, for the same reason (alive-tv
rarely proves `fadd x, y` commutative in its default time).
"""
from __future__ import annotations

import random

from veriopt.verify.random_ir.fp_model import (
    FCOMMUTATIVE, FMF, FP_FORMATS, FP_INTRINSICS, FP_TYPES, FPREDICATES, INT_FLAGS,
    FFunction, FInstr, FOperand, bits_of, fp_bits, fp_make, is_fp, nofpclass_text,
)
from veriopt.verify.random_ir.instructions import random_const, weighted

FP_WEIGHTS = (("half", 78), ("float", 16), ("double", 6))
INT_RESULT_WIDTHS = ((8, 30), (16, 15), (32, 25), (1, 10), (4, 8), (64, 5), (12, 7))
P_UNDEF = 0.01
P_POISON = 0.008
P_FMF = {"reassoc": 0.03, "nnan": 0.14, "ninf": 0.14, "nsz": 0.14, "arcp": 0.03,
         "contract": 0.04, "afn": 0.03}


def random_fp_const(rng: random.Random, ty: str) -> int:
    """An interesting bit pattern of FP type `ty`."""
    w, e, m = FP_FORMATS[ty]
    top = (1 << e) - 1
    sign = int(rng.random() < 0.35)
    k = weighted(rng, [("zero", 12), ("small", 22), ("inf", 8), ("qnan", 5), ("payload", 5),
                       ("snan", 3), ("minsub", 4), ("maxsub", 2), ("minnorm", 3), ("max", 4),
                       ("intedge", 9), ("random", 10), ("nearone", 3)])
    if k == "zero":
        return fp_make(ty, sign, 0, 0)
    if k == "small":
        v = rng.choice((1.0, 1.0, 2.0, 0.5, 1.5, 3.0, 10.0, 0.25, 4.0, 100.0, 0.1, 2.5))
        return fp_bits(-v if sign else v, ty)
    if k == "inf":
        return fp_make(ty, sign, top, 0)
    if k == "qnan":
        return fp_make(ty, int(rng.random() < 0.2), top, 1 << (m - 1))
    if k == "payload":
        return fp_make(ty, sign, top, (1 << (m - 1)) | rng.randrange(1, 1 << (m - 1)))
    if k == "snan":
        return fp_make(ty, sign, top, rng.choice((1, rng.randrange(1, 1 << (m - 1)))))
    if k == "minsub":
        return fp_make(ty, sign, 0, 1)
    if k == "maxsub":
        return fp_make(ty, sign, 0, (1 << m) - 1)
    if k == "minnorm":
        return fp_make(ty, sign, 1, 0)
    if k == "max":
        return fp_make(ty, sign, top - 1, (1 << m) - 1)
    if k == "intedge":
        p = rng.choice((7, 8, 15, 16, 31, 32, 63, 64, 4, 11, 24, 53))
        v = float(2 ** p) + rng.choice((0.0, -1.0, 0.5, -0.5, 1.0))
        return fp_bits(-v if sign else v, ty)
    if k == "nearone":
        one = fp_bits(1.0, ty)
        return one + rng.choice((1, -1))
    return rng.randrange(1 << w)


def const_style(rng: random.Random, ty: str) -> str:
    return weighted(rng, [("hex", 45), ("dec", 35), ("H", 20 if ty == "half" else 0)])


def fpclass_mask(rng: random.Random) -> int:
    """A class test: single classes, the usual groups, or any mask."""
    return weighted(rng, [(1 << rng.randrange(10), 30), (0x3, 12), (0x204, 10), (0x60, 8),
                          (0x90, 6), (0x108, 6), (rng.randrange(1, 0x3FF), 25), (0x3FC, 3)])


class FBuilder:
    """Draws instructions over the values defined so far, by type."""

    def __init__(self, rng: random.Random, ty: str):
        self.rng = rng
        self.T = ty
        self.values: list[FOperand] = []
        self.uses: dict[str, int] = {}
        self.body: list[FInstr] = []

    def add_value(self, name: str, ty: str) -> None:
        self.values.append(FOperand("val", ty, name))
        self.uses[name] = 0

    def pick(self, ty: str | None = None, exclude: str | None = None,
             fp: bool | None = None) -> FOperand | None:
        pool = [v for v in self.values if (ty is None or v.ty == ty) and v.name != exclude
                and (fp is None or is_fp(v.ty) == fp)]
        if not pool:
            return None
        unused = [v for v in pool if self.uses[v.name] == 0]
        if unused and self.rng.random() < 0.75:
            return self.rng.choice(unused)
        if self.rng.random() < 0.5:
            return pool[-1 - min(int(self.rng.expovariate(0.7)), len(pool) - 1)]
        return self.rng.choice(pool)

    def use(self, op: FOperand) -> FOperand:
        if op.kind == "val":
            self.uses[op.name] += 1
        return FOperand(op.kind, op.ty, op.name, op.value, op.style)

    def const(self, ty: str, role: str = "any") -> FOperand:
        if is_fp(ty):
            return FOperand("const", ty, value=random_fp_const(self.rng, ty),
                            style=const_style(self.rng, ty))
        return FOperand("const", ty, value=random_const(self.rng, bits_of(ty), role))

    def operand(self, ty: str, p_value: float = 0.45, exclude: str | None = None,
                role: str = "any") -> FOperand:
        r = self.rng.random()
        if r < P_UNDEF:
            return FOperand("undef", ty)
        if r < P_UNDEF + P_POISON:
            return FOperand("poison", ty)
        if self.rng.random() < p_value:
            v = self.pick(ty, exclude)
            if v is not None:
                return self.use(v)
        return self.const(ty, role)

    def fmf(self) -> list[str]:
        """Random fast-math flags; reassoc, arcp, contract and afn, which
        alive-tv only approximates (so it cannot decide), are the rarer."""
        if self.rng.random() < 0.02:
            return list(FMF)
        return [f for f in FMF if self.rng.random() < P_FMF[f]]

    def instr(self, name: str, a: FOperand) -> FInstr:
        """One instruction whose first operand is `a`."""
        if is_fp(a.ty):
            return self._fp_instr(name, a)
        return self._int_instr(name, a)

    def _fp_instr(self, name: str, a: FOperand) -> FInstr:
        rng, t = self.rng, a.ty
        i1s = [v for v in self.values if v.ty == "i1"]
        kind = weighted(rng, [("fbin", 34), ("fneg", 5), ("fcmp", 12), ("intrinsic", 22),
                              ("cast", 13), ("select", 8 if i1s else 0), ("freeze", 2)])
        a = self.use(a)
        if kind == "fbin":
            op = weighted(rng, [("fadd", 10), ("fsub", 8), ("fmul", 7), ("fdiv", 3), ("frem", 1.5)])
            b = self.operand(t, p_value=0.2, exclude=a.name if rng.random() < 0.85 else None)
            args = [a, b]
            if rng.random() < (0.4 if op in FCOMMUTATIVE else 0.25):
                args = [b, a]
            return FInstr(name, op, t, args, self.fmf())
        if kind == "fneg":
            return FInstr(name, "fneg", t, [a], self.fmf())
        if kind == "fcmp":
            b = self.operand(t, p_value=0.4, exclude=a.name)
            args = [a, b] if rng.random() < 0.8 else [b, a]
            fl = self.fmf() if rng.random() < 0.5 else []
            return FInstr(name, "fcmp", "i1", args, fl, pred=rng.choice(FPREDICATES))
        if kind == "select":
            c = self.use(rng.choice(i1s))
            b = self.operand(t, p_value=0.5, exclude=a.name)
            args = [c, a, b] if rng.random() < 0.5 else [c, b, a]
            return FInstr(name, "select", t, args, self.fmf() if rng.random() < 0.4 else [])
        if kind == "freeze":
            return FInstr(name, "freeze", t, [a])
        if kind == "cast":
            return self._fp_cast(name, a)
        base = weighted(rng, [("fabs", 8), ("sqrt", 3), ("copysign", 6), ("minnum", 6),
                              ("maxnum", 6), ("minimum", 5), ("maximum", 5), ("fma", 2),
                              ("fmuladd", 2), ("is.fpclass", 8)])
        if base == "is.fpclass":
            return FInstr(name, "call", "i1", [a], callee=base, imm=fpclass_mask(rng))
        args = [a] + [self.operand(t, p_value=0.35, exclude=a.name)
                      for _ in range(FP_INTRINSICS[base] - 1)]
        if len(args) >= 2 and base != "copysign" and rng.random() < 0.3:
            args[0], args[1] = args[1], args[0]
        return FInstr(name, "call", t, args, self.fmf() if rng.random() < 0.6 else [],
                      callee=base)

    def _fp_cast(self, name: str, a: FOperand) -> FInstr:
        rng, t = self.rng, a.ty
        order = list(FP_TYPES)
        wider = order[order.index(t) + 1:]
        narrower = order[:order.index(t)]
        op = weighted(rng, [("fpext", 6 if wider else 0), ("fptrunc", 6 if narrower else 0),
                            ("fptosi", 8), ("fptoui", 8), ("bitcast", 4)])
        if op == "fpext":
            return FInstr(name, op, rng.choice(wider), [a], self.fmf() if rng.random() < 0.3 else [])
        if op == "fptrunc":
            return FInstr(name, op, rng.choice(narrower), [a],
                          self.fmf() if rng.random() < 0.3 else [])
        if op == "bitcast":
            return FInstr(name, op, f"i{bits_of(t)}", [a])
        return FInstr(name, op, f"i{weighted(rng, INT_RESULT_WIDTHS)}", [a])

    def _int_instr(self, name: str, a: FOperand) -> FInstr:
        rng, w = self.rng, bits_of(a.ty)
        fps = [v for v in self.values if is_fp(v.ty)]
        i1s = [v for v in self.values if v.ty == "i1" and v.name != a.name]
        kind = weighted(rng, [("tofp", 35), ("bitcast", 12 if w in (16, 32, 64) else 0),
                              ("intop", 20), ("icmp", 6 if w > 1 else 0), ("intcast", 8),
                              ("select", (30 if fps else 10) if w == 1 else (6 if i1s else 0))])
        a = self.use(a)
        if kind == "tofp":
            op = rng.choice(("uitofp", "sitofp"))
            ty = weighted(rng, FP_WEIGHTS) if rng.random() < 0.5 else self.T
            fl = ["nneg"] if op == "uitofp" and rng.random() < 0.2 else []
            return FInstr(name, op, ty, [a], fl)
        if kind == "bitcast":
            return FInstr(name, "bitcast", {16: "half", 32: "float", 64: "double"}[w], [a])
        if kind == "select":
            if w == 1:
                t = self.pick(fp=True) if fps and rng.random() < 0.85 else self.pick()
                ty = t.ty if t is not None else self.T
                x = self.use(t) if t is not None else self.const(ty)
                y = self.operand(ty, p_value=0.4, exclude=x.name)
                args = [a, x, y] if rng.random() < 0.5 else [a, y, x]
                return FInstr(name, "select", ty, args,
                              self.fmf() if is_fp(ty) and rng.random() < 0.4 else [])
            c = self.use(rng.choice(i1s))
            b = self.operand(a.ty, p_value=0.5, exclude=a.name)
            return FInstr(name, "select", a.ty, [c, a, b] if rng.random() < 0.5 else [c, b, a])
        if kind == "icmp":
            b = self.operand(a.ty, p_value=0.4, exclude=a.name)
            pred = rng.choice(("eq", "ne", "ugt", "ult", "sgt", "slt", "uge", "sle"))
            return FInstr(name, "icmp", "i1", [a, b], pred=pred)
        if kind == "intcast":
            if w == 1 or (w < 32 and rng.random() < 0.6):
                to = rng.choice([x for x in (8, 16, 32) if x > w])
                op = "zext" if w == 1 or rng.random() < 0.5 else "sext"
            else:
                to, op = rng.choice([x for x in (1, 4, 8, 16) if x < w]), "trunc"
            fl = [f for f in INT_FLAGS.get(op, ()) if rng.random() < 0.15]
            return FInstr(name, op, f"i{to}", [a], fl)
        if w == 1:
            op = rng.choice(("and", "or", "xor"))
        else:
            op = weighted(rng, [("add", 6), ("sub", 4), ("mul", 3), ("and", 6), ("or", 5),
                                ("xor", 6), ("shl", 2), ("lshr", 3), ("ashr", 2)])
        role = "shift" if op in ("shl", "lshr", "ashr") else "any"
        b = self.operand(a.ty, p_value=0.4 if role == "any" else 0.2, exclude=a.name, role=role)
        fl = [f for f in INT_FLAGS.get(op, ()) if rng.random() < 0.15]
        return FInstr(name, op, a.ty, [a, b], fl)


def random_fp_function(rng: random.Random, min_instrs: int = 2,
                       max_instrs: int = 6) -> FFunction:
    """A random function named @src over FP parameters (and now and then an
    integer one), of min_instrs..max_instrs live instructions."""
    from veriopt.verify.random_ir.functions import PARAM_NAMES
    for _ in range(50):
        T = weighted(rng, FP_WEIGHTS)
        names = rng.choice(PARAM_NAMES)
        b = FBuilder(rng, T)
        params = []
        for k in range(weighted(rng, [(1, 30), (2, 45), (3, 20), (4, 5)])):
            ty = T if k == 0 else weighted(
                rng, [(T, 65), ("i1", 8), ("i8", 6), ("i32", 6), ("i16", 3),
                      (rng.choice(FP_TYPES), 12)])
            attrs = ["noundef"] if rng.random() < 0.5 else []
            if is_fp(ty) and rng.random() < 0.15:
                attrs.append(nofpclass_text(fpclass_mask(rng)))
            params.append((names[k], ty, attrs))
            b.add_value(names[k], ty)
        count = weighted(rng, [(2, 30), (3, 32), (4, 20), (5, 10), (6, 8)])
        for k in range(min(count, max_instrs)):
            a = b.pick(T) if rng.random() < 0.55 else b.pick(fp=True)
            if a is None or rng.random() < 0.2:
                a = b.pick()
            ins = b.instr(f"t{k}", a)
            b.body.append(ins)
            b.add_value(ins.name, ins.ty)
        last = b.body[-1]
        ret_attrs = ([nofpclass_text(fpclass_mask(rng))]
                     if is_fp(last.ty) and rng.random() < 0.04 else [])
        fn = FFunction(params, b.body, FOperand("val", last.ty, last.name), ret_attrs=ret_attrs)
        prune_fp(fn)
        if len(fn.body) >= min_instrs:
            return fn
    return fn


def prune_fp(fn: FFunction) -> None:
    """Drop the instructions the returned value does not depend on."""
    live = {fn.ret.name} if fn.ret.kind == "val" else set()
    for ins in reversed(fn.body):
        if ins.name in live:
            live |= {a.name for a in ins.args if a.kind == "val"}
    fn.body = [ins for ins in fn.body if ins.name in live]
