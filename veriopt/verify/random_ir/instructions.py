"""Random instructions: interesting constants, and `Builder`, which draws
one instruction at a time over the values defined so far (preferring unused
ones, so that the function stays a connected DAG).
"""
from __future__ import annotations

import random

from veriopt.verify.random_ir.model import (
    BINOP_FLAGS, CAST_FLAGS, COMMUTATIVE, INTRINSICS, PREDICATES, Instr, Operand,
)

COMMUTATIVE_INTRINSICS = {"umin", "umax", "smin", "smax", "uadd.sat", "sadd.sat"}

# main width of a function, weighted: small widths keep the solvers fast
WIDTHS = ((8, 30), (4, 14), (1, 5), (16, 9), (32, 8), (64, 5), (2, 5), (3, 5),
          (5, 3), (6, 2), (7, 2), (12, 2), (24, 1), (33, 1), (48, 1))

P_UNDEF = 0.012    # an operand is `undef`
P_POISON = 0.008   # an operand is `poison`


# ---- constants ----------------------------------------------------------------

def random_const(rng: random.Random, width: int, role: str = "any") -> int:
    """An interesting constant of `width` bits. role: "shift" (mostly in
    range), "divisor" (mostly non-zero), "any"."""
    m = 1 << width
    if width == 1:
        return rng.randrange(2)
    if role == "shift":
        r = rng.random()
        if r < 0.9:
            return rng.randrange(width)
        return width if r < 0.96 else rng.randrange(m)
    pick = rng.random()
    if pick < 0.16:
        v = 1
    elif pick < 0.26:
        v = -1
    elif pick < 0.34:
        v = 0 if role != "divisor" else 2
    elif pick < 0.44:
        v = 2
    elif pick < 0.56:
        v = 1 << rng.randrange(width)
    elif pick < 0.62:
        v = (1 << rng.randrange(1, width)) - 1
    elif pick < 0.67:
        v = 1 << (width - 1)                 # signed minimum
    elif pick < 0.72:
        v = (1 << (width - 1)) - 1           # signed maximum
    elif pick < 0.86:
        v = rng.randrange(3, 8) * rng.choice((1, -1))
    else:
        v = rng.randrange(m)
    if role == "divisor" and v % m == 0:
        v = 3
    return v % m


# ---- the generator -------------------------------------------------------------

def weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    r = rng.uniform(0, total)
    for item, w in pairs:
        r -= w
        if r <= 0:
            return item
    return pairs[-1][0]


class Builder:
    def __init__(self, rng: random.Random, width: int):
        self.rng = rng
        self.W = width
        self.values: list[Operand] = []     # parameters and results, in order
        self.uses: dict[str, int] = {}
        self.body: list[Instr] = []

    def add_value(self, name: str, width: int) -> None:
        self.values.append(Operand("val", width, name))
        self.uses[name] = 0

    def pick(self, width: int | None = None, exclude: str | None = None) -> Operand | None:
        pool = [v for v in self.values if (width is None or v.width == width) and v.name != exclude]
        if not pool:
            return None
        unused = [v for v in pool if self.uses[v.name] == 0]
        if unused and self.rng.random() < 0.75:
            v = self.rng.choice(unused)
        elif self.rng.random() < 0.5:
            v = pool[-1 - min(int(self.rng.expovariate(0.7)), len(pool) - 1)]   # recent ones
        else:
            v = self.rng.choice(pool)
        return v

    def use(self, op: Operand) -> Operand:
        if op.kind == "val":
            self.uses[op.name] += 1
        return Operand(op.kind, op.width, op.name, op.value)

    def operand(self, width: int, role: str = "any", p_value: float = 0.55,
                exclude: str | None = None) -> Operand:
        r = self.rng.random()
        if r < P_UNDEF and width <= 16:    # wide undefs make the quantified queries slow
            return Operand("undef", width)
        if P_UNDEF <= r < P_UNDEF + P_POISON:
            return Operand("poison", width)
        if self.rng.random() < p_value:
            v = self.pick(width, exclude)
            if v is not None:
                return self.use(v)
        return Operand("const", width, value=random_const(self.rng, width, role))

    def flags(self, names, p: float) -> list[str]:
        return [f for f in names if self.rng.random() < p]

    # one instruction whose first operand is `a`
    def instr(self, name: str, a: Operand) -> Instr:
        rng, w = self.rng, a.width
        i1s = [v for v in self.values if v.width == 1 and v.name != a.name]
        choices = [("binop", 40), ("icmp", 11), ("intrinsic", 17), ("cast", 9), ("freeze", 4),
                   ("select", 9 if (w == 1 or i1s) else 0)]
        if w == 1:
            choices = [("binop", 25), ("select", 25), ("cast", 25), ("icmp", 4), ("freeze", 5),
                       ("intrinsic", 3)]
        kind = weighted(rng, choices)
        a = self.use(a)
        if kind == "binop":
            if w == 1:
                op = weighted(rng, [("and", 5), ("or", 5), ("xor", 5), ("add", 1), ("sub", 1),
                                     ("mul", 1), ("udiv", 1), ("shl", 1), ("lshr", 1), ("ashr", 1)])
            else:
                op = weighted(rng, [("add", 10), ("sub", 7), ("mul", 6), ("udiv", 3), ("sdiv", 3),
                                     ("urem", 2), ("srem", 2), ("shl", 6), ("lshr", 5), ("ashr", 5),
                                     ("and", 7), ("or", 7), ("xor", 7)])
            role = ("shift" if op in ("shl", "lshr", "ashr")
                    else "divisor" if op in ("udiv", "sdiv", "urem", "srem") else "any")
            b = self.operand(w, role, p_value=0.45 if role == "any" else 0.3,
                             exclude=a.name if rng.random() < 0.85 else None)
            args = [a, b]
            if op in COMMUTATIVE and b.kind == "val" and rng.random() < 0.5:
                args = [b, a]
            elif op not in COMMUTATIVE and rng.random() < 0.2 and role == "any":
                args = [b, a]
            return Instr(name, op, w, args, self.flags(BINOP_FLAGS.get(op, ()), 0.25))
        if kind == "icmp":
            pred = rng.choice(PREDICATES)
            b = self.operand(w, p_value=0.5, exclude=a.name)
            fl = ["samesign"] if rng.random() < (0.2 if pred not in ("eq", "ne") else 0.05) else []
            args = [a, b] if rng.random() < 0.8 else [b, a]
            return Instr(name, "icmp", 1, args, fl, pred=pred)
        if kind == "select":
            if w == 1:
                t = self.pick(self.W) if rng.random() < 0.8 else self.pick()
                tw = t.width if t is not None else self.W
                x = self.use(t) if t is not None else self.operand(tw)
                y = self.operand(tw, p_value=0.5)
                args = [a, x, y] if rng.random() < 0.5 else [a, y, x]
                return Instr(name, "select", tw, args)
            c = self.use(rng.choice(i1s))
            b = self.operand(w, p_value=0.5, exclude=a.name)
            args = [c, a, b] if rng.random() < 0.5 else [c, b, a]
            return Instr(name, "select", w, args)
        if kind == "freeze":
            return Instr(name, "freeze", w, [a])
        if kind == "cast":
            wider = [v for v, _ in WIDTHS if v > w]
            narrower = [v for v, _ in WIDTHS if v < w]
            if self.W > w:
                to, op = self.W, rng.choice(("zext", "sext"))
            elif w > self.W and rng.random() < 0.7:
                to, op = self.W, "trunc"
            elif narrower and (not wider or rng.random() < 0.5):
                to = 1 if rng.random() < 0.3 else rng.choice(narrower)
                op = "trunc"
            else:
                to = min(64, w * 2) if rng.random() < 0.6 else rng.choice(wider)
                op = rng.choice(("zext", "sext"))
            return Instr(name, op, to, [a], self.flags(CAST_FLAGS[op], 0.2))
        # intrinsic
        names = [n for n in INTRINSICS if n != "bswap" or w % 16 == 0]
        base = rng.choice(names)
        n, imm = INTRINSICS[base]
        role = "shift" if base in ("ushl.sat", "sshl.sat", "fshl", "fshr") else "any"
        args = [a] + [self.operand(w, role if k == n - 1 else "any", p_value=0.5)
                      for k in range(1, n)]
        if n == 2 and base in COMMUTATIVE_INTRINSICS and rng.random() < 0.3:
            args.reverse()
        return Instr(name, "call", w, args, callee=base,
                     immarg=(rng.random() < 0.5) if imm else None)
