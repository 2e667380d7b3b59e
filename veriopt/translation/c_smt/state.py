"""The executor's state: what a run produces (`Outcome`), the frame of one
call, and one loop being unrolled (`LoopState`), plus how values merge
where paths join.

Execution is predicated (see the package docstring): a frame's fields are
path conditions, replaced (never mutated) when they change, so the guard
cache in `executor` may key on their identity.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from veriopt.translation.c_memory import Memory
from veriopt.translation.c_types import CType
from veriopt.translation.c_values import IntV, PtrV, Value, Var

class OutOfTime(Exception):
    """The symbolic execution itself used up the time budget."""


@dataclass
class Outcome:
    """What one run of a function produced, as terms over the inputs."""

    ret: IntV | None
    ub: z3.BoolRef
    ub_reasons: list[tuple[z3.BoolRef, str]]
    unwind: z3.BoolRef
    mem: Memory
    assumptions: list[z3.BoolRef]
    loops: int
    deepenable: bool = False    # a loop stopped at the unroll bound (a larger one may help)


@dataclass
class LoopState:
    """One loop being unrolled: which paths are still in it, and the values
    the variables visible outside it had on each way out."""

    watched: list[Var]
    stay: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(True))
    exits: list[tuple[z3.BoolRef, list[tuple[Value | None, z3.BoolRef]]]] = field(
        default_factory=list)

    def leave(self, cond: z3.BoolRef) -> None:
        """Paths where `cond` holds leave the loop here, with the current values."""
        cond = z3.simplify(cond)
        if not z3.is_false(cond):
            self.exits.append((cond, [(v.value, v.init) for v in self.watched]))

    def merge(self) -> None:
        """After the loop: each variable holds the value of the exit its path took."""
        for k, var in enumerate(self.watched):
            value, init = var.value, var.init
            changed = False
            for cond, snap in reversed(self.exits):
                old_value, old_init = snap[k]
                merged = _merged(cond, old_value, value)
                changed = changed or merged is not value
                value = merged
                if not old_init.eq(init):
                    init = z3.If(cond, old_init, init)
            if changed:
                value = _simplified(value)
            var.value, var.init = value, z3.simplify(init)


@dataclass
class Frame:
    fn: str
    ret_t: CType
    pc: z3.BoolRef
    outer: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(True))  # caller alive
    ret: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    brk: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    cont: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    retval: z3.BitVecRef | None = None
    scopes: list[dict[str, Var]] = field(default_factory=lambda: [{}])
    loops: list[LoopState] = field(default_factory=list)
    breakable: list[LoopState | None] = field(default_factory=list)  # None: a switch



def select(cond: z3.BoolRef, a: Value, b: Value, t: CType) -> Value:
    """`a` where `cond` holds, else `b`, as a value of type `t` (unsimplified)."""
    if isinstance(a, IntV):
        return IntV(t, z3.If(cond, a.v, b.v))
    return PtrV(t, z3.If(cond, a.addr, b.addr), z3.If(cond, a.lo, b.lo), z3.If(cond, a.hi, b.hi))


def _merged(cond: z3.BoolRef, new: Value | None, old: Value | None) -> Value | None:
    """`new` where `cond` holds, else `old` (a variable's value after a loop exit);
    left unsimplified, see `_simplified`."""
    if new is None or old is None or new is old:
        return old if new is None else new
    if isinstance(new, IntV) and isinstance(old, IntV):
        if new.v.eq(old.v):
            return old
        return select(cond, new, old, old.t)
    if isinstance(new, PtrV) and isinstance(old, PtrV):
        if new.addr.eq(old.addr) and new.lo.eq(old.lo) and new.hi.eq(old.hi):
            return old
        return select(cond, new, old, old.t)
    return guarded(cond, new, old)


def _simplified(val: Value) -> Value:
    if isinstance(val, IntV):
        return IntV(val.t, z3.simplify(val.v))
    return PtrV(val.t, z3.simplify(val.addr), z3.simplify(val.lo), z3.simplify(val.hi))


def guarded(alive: z3.BoolRef, new: Value, old: Value | None) -> Value:
    """An assignment of `new` that takes effect where `alive` holds."""
    if old is None or z3.is_true(alive):
        return new
    return _simplified(select(alive, new, old, new.t))
