"""The facts an induction proof may use (see prove.py): a target lane
refines a source lane, a lane is not poison, two lanes are equal or
ordered (unsigned, signed) among the states, against the arguments and the
constants the loops compare with, and `y - c·x` keeps its initial value
(counters in lock step, strength reduction, closed forms). Each fact is a
function of the two states, so the same fact is read at the loop's entry,
before an iteration and after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import z3

from veriopt.ir.model import Function, IntConst
from veriopt.translation.ir_smt.values import Lane

F = z3.BoolVal(False)


def refines(src: list[Lane], tgt: list[Lane]) -> z3.BoolRef:
    """Each target lane refines the source lane: poison there allows anything."""
    return z3.And([z3.Or(a.p, z3.And(z3.Not(b.p), a.v == b.v)) for a, b in zip(src, tgt)])


@dataclass
class Candidate:
    text: str
    holds: Callable[[list[Lane], list[Lane]], z3.BoolRef]   # (S, T) -> fact


def constants(*fns: Function) -> tuple[list[int], list[int]]:
    """Constants the functions compare with (loop bounds, with 0 and 1), and
    the steps their arithmetic takes (add, sub, mul constants, shl as a
    multiplier, with 1 and -1), for the candidate facts."""
    bounds, steps = {0, 1}, {1, -1}
    for fn in fns:
        for instr in fn.instructions():
            consts = [v.value for v in instr.operands if isinstance(v, IntConst)]
            if instr.opcode == "icmp":
                bounds.update(consts)
            elif instr.opcode in ("add", "sub", "mul"):
                steps.update(s * c for c in consts if 0 < abs(c) < 1 << 16 for s in (1, -1))
            elif instr.opcode == "shl":
                steps.update(s << c for c in consts if 0 < c < 16 for s in (1, -1))
    return sorted(bounds), sorted(steps)


Getter = Callable[[list[Lane], list[Lane]], Lane]


def candidates(S: list[Lane], T: list[Lane], labels: list[str], args: list[tuple[str, Lane]],
                bounds: list[int], steps: list[int], S0: list[Lane], T0: list[Lane]
                ) -> list[Candidate]:
    """Facts worth trying: a target lane refines a source lane, a lane is not
    poison, two lanes are equal or ordered (unsigned, signed) among the
    states, against the arguments and the bounds; and `y - c·x` keeps its
    initial value (counters in lock step, strength reduction, closed forms)."""
    state: list[tuple[str, Getter, int]] = \
        [(labels[k], (lambda S_, T_, k=k: S_[k]), S[k].v.size()) for k in range(len(S))] + \
        [(labels[len(S) + k], (lambda S_, T_, k=k: T_[k]), T[k].v.size()) for k in range(len(T))]
    initial = S0 + T0
    out: list[Candidate] = []
    for i, s in enumerate(S):
        for j, t in enumerate(T):
            if s.v.size() == t.v.size():
                out.append(Candidate(f"{labels[len(S) + j]} refines {labels[i]}",
                                     lambda S_, T_, i=i, j=j: refines([S_[i]], [T_[j]])))
    for name, get, _ in state:
        out.append(Candidate(f"{name} is not poison", lambda S_, T_, g=get: z3.Not(g(S_, T_).p)))
    orders = (("<=u", z3.ULE), ("<u", z3.ULT), ("<=s", lambda a, b: a <= b),
              ("<s", lambda a, b: a < b))
    for n, (name, get, width) in enumerate(state):
        fixed = [(a_name, (lambda S_, T_, a=a: a)) for a_name, a in args if a.v.size() == width]
        extremes = [-1, 1 << (width - 1), (1 << (width - 1)) - 1]   # unsigned max, signed min/max
        for c in extremes:
            out.append(Candidate(f"{name} != {c % (1 << width)}", _related(
                get, (lambda S_, T_, c=c, w=width: Lane(z3.BitVecVal(c % (1 << w), w), F)),
                lambda a, b: a != b)))
        fixed += [(str(c), (lambda S_, T_, c=c, w=width: Lane(z3.BitVecVal(c % (1 << w), w), F)))
                  for c in bounds]
        later = [(o_name, o_get) for o_name, o_get, w in state[n + 1:] if w == width]
        for o_name, o_get in later + fixed:
            out.append(Candidate(f"{name} == {o_name}", _related(get, o_get, lambda a, b: a == b)))
            for rel, op in orders:
                out.append(Candidate(f"{name} {rel} {o_name}", _related(get, o_get, op)))
                if not (o_name == "0" and rel == "<=u"):    # true of every value
                    out.append(Candidate(f"{o_name} {rel} {name}", _related(o_get, get, op)))
        out.append(Candidate(f"{name} keeps its initial value",
                             _linear(get, get, 0, initial[n], initial[n])))
        for m, (o_name, o_get, w) in enumerate(state):
            if m == n or w != width:
                continue
            for c in steps:
                out.append(Candidate(f"{o_name} - {c}*{name} keeps its initial value",
                                     _linear(get, o_get, c, initial[n], initial[m])))
    return out


def _related(a_get: Getter, b_get: Getter, op) -> Callable:
    def holds(S_, T_):
        a, b = a_get(S_, T_), b_get(S_, T_)
        return z3.Or(a.p, b.p, op(a.v, b.v))
    return holds


def _linear(x_get: Getter, y_get: Getter, c: int, x0: Lane, y0: Lane) -> Callable:
    def holds(S_, T_):
        x, y = x_get(S_, T_), y_get(S_, T_)
        w = x.v.size()
        k = z3.BitVecVal(c % (1 << w), w)
        return z3.Or(x.p, y.p, x0.p, y0.p, y.v - k * x.v == y0.v - k * x0.v)
    return holds

