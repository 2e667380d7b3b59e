"""A component on concrete integers, fast enough for enumeration.

The enumeration evaluates components on every example for every candidate
expression (hundreds of thousands of calls), too many for z3's simplifier.
So the registry's term for a component (semantics.apply over symbolic
operands) is compiled once per width into a Python closure over the
bit-vector operations it contains. A term using an operation not compiled
here is evaluated by z3 instead (slower, never different); the tests
compare both with the registry on random inputs.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import z3

from veriopt.agents.superopt.components import COMPONENTS
from veriopt.agents.superopt.semantics import apply
from veriopt.translation.ir_smt.values import Lane

Evaluator = Callable[..., "int | None"]    # operand values -> result, None for poison
Node = Callable[[tuple], "int | bool"]


@lru_cache(maxsize=None)
def evaluator(name: str, width: int, operand_widths: tuple[int, ...]) -> Evaluator:
    """The component `name` at `width` on unsigned operand values; None
    where the registry says the result is poison (or UB)."""
    args = [z3.BitVec(f"a{k}", w) for k, w in enumerate(operand_widths)]
    lane = apply(COMPONENTS[name], [Lane(a, z3.BoolVal(False)) for a in args], width)
    try:
        value, poison = compile_term(lane.v, args), compile_term(lane.p, args)
    except NotImplementedError:
        return _by_z3(lane, args)

    if isinstance(poison, Constant) and not poison.value:
        return lambda *vals: value(vals)

    def run(*vals: int) -> int | None:
        return None if poison(vals) else value(vals)
    return run


def _by_z3(lane: Lane, args: list) -> Evaluator:
    def run(*vals: int) -> int | None:
        pairs = [(a, z3.BitVecVal(v, a.size())) for a, v in zip(args, vals)]
        if z3.is_true(z3.simplify(z3.substitute(lane.p, *pairs))):
            return None
        return z3.simplify(z3.substitute(lane.v, *pairs)).as_long()
    return run


def _signed(v: int, w: int) -> int:
    return v - (1 << w) if v >> (w - 1) else v


def _fold(fn: Callable[[int, int], int], kids: list[Node], m: int) -> Node:
    """An n-ary (usually binary) arithmetic operation, modulo 2^w."""
    if len(kids) == 2:
        a, b = kids
        return lambda env: fn(a(env), b(env)) & m

    def node(env: tuple) -> int:
        acc = kids[0](env)
        for k in kids[1:]:
            acc = fn(acc, k(env)) & m
        return acc
    return node


def _shift(kind: int, a: Node, b: Node, w: int, m: int) -> Node:
    """z3's shifts: an amount >= w shifts everything out (ashr: fills with
    the sign)."""
    if kind == z3.Z3_OP_BSHL:
        return lambda env: (a(env) << b(env)) & m if b(env) < w else 0
    if kind == z3.Z3_OP_BLSHR:
        return lambda env: a(env) >> b(env) if b(env) < w else 0
    return lambda env: (_signed(a(env), w) >> min(b(env), w - 1)) & m


_COMPARE = {
    z3.Z3_OP_ULT: lambda x, y, w: x < y, z3.Z3_OP_ULEQ: lambda x, y, w: x <= y,
    z3.Z3_OP_UGT: lambda x, y, w: x > y, z3.Z3_OP_UGEQ: lambda x, y, w: x >= y,
    z3.Z3_OP_SLT: lambda x, y, w: _signed(x, w) < _signed(y, w),
    z3.Z3_OP_SLEQ: lambda x, y, w: _signed(x, w) <= _signed(y, w),
    z3.Z3_OP_SGT: lambda x, y, w: _signed(x, w) > _signed(y, w),
    z3.Z3_OP_SGEQ: lambda x, y, w: _signed(x, w) >= _signed(y, w),
}
_ARITH = {
    z3.Z3_OP_BADD: lambda x, y: x + y, z3.Z3_OP_BSUB: lambda x, y: x - y,
    z3.Z3_OP_BMUL: lambda x, y: x * y, z3.Z3_OP_BAND: lambda x, y: x & y,
    z3.Z3_OP_BOR: lambda x, y: x | y, z3.Z3_OP_BXOR: lambda x, y: x ^ y,
}


class Constant:
    """A compiled term that does not depend on the inputs."""

    def __init__(self, value: "int | bool"):
        self.value = value

    def __call__(self, env: tuple) -> "int | bool":
        return self.value


def compile_term(term: z3.ExprRef, inputs: list[z3.ExprRef]) -> Node:
    """A closure computing `term` from a tuple of input values (in the
    order of `inputs`); bit-vectors as unsigned ints, booleans as bools.
    Subterms without inputs are computed once, here (so a component's
    `poison = Or(false, false)` costs nothing per call).
    NotImplementedError for an operation it does not know."""
    index = {a.get_id(): k for k, a in enumerate(inputs)}
    memo: dict[int, Node] = {}

    def build(t: z3.ExprRef) -> Node:
        key = t.get_id()
        if key not in memo:
            kids = [build(c) for c in t.children()]
            node = _node(t, kids, index)
            if kids and all(isinstance(k, Constant) for k in kids):
                node = Constant(node(()))
            memo[key] = node
        return memo[key]
    return build(term)


def _node(t: z3.ExprRef, kids: list[Node], index: dict[int, int]) -> Node:
    kind = t.decl().kind()
    if kind == z3.Z3_OP_UNINTERPRETED and t.get_id() in index:
        k = index[t.get_id()]
        return lambda env: env[k]
    if z3.is_bv_value(t) or z3.is_true(t) or z3.is_false(t):
        return Constant(t.as_long() if z3.is_bv_value(t) else z3.is_true(t))
    w = t.children()[0].size() if kids and z3.is_bv(t.children()[0]) else 0
    m = (1 << t.size()) - 1 if z3.is_bv(t) else 0
    if kind in _ARITH:
        return _fold(_ARITH[kind], kids, m)
    if kind in _COMPARE:
        cmp, (a, b) = _COMPARE[kind], kids
        return lambda env: cmp(a(env), b(env), w)
    if kind in (z3.Z3_OP_BSHL, z3.Z3_OP_BLSHR, z3.Z3_OP_BASHR):
        return _shift(kind, kids[0], kids[1], w, m)
    if kind in (z3.Z3_OP_AND, z3.Z3_OP_OR):
        return _connective(kind == z3.Z3_OP_AND, kids)
    return _structural(t, kind, kids, w, m)


def _connective(conjunction: bool, kids: list[Node]) -> Node:
    """AND / OR, with constant operands decided here."""
    if any(isinstance(k, Constant) and bool(k.value) != conjunction for k in kids):
        return Constant(not conjunction)          # a false conjunct, a true disjunct
    live = [k for k in kids if not isinstance(k, Constant)]
    if not live:
        return Constant(conjunction)
    if len(live) == 1:
        return live[0]
    test = all if conjunction else any
    return lambda env: test(k(env) for k in live)


def _structural(t: z3.ExprRef, kind: int, kids: list[Node], w: int, m: int) -> Node:
    """Bits moved, tested or chosen rather than computed."""
    if kind == z3.Z3_OP_ITE:
        c, a, b = kids
        return lambda env: a(env) if c(env) else b(env)
    if kind in (z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT):
        a, b = kids
        equal = kind == z3.Z3_OP_EQ
        return lambda env: (a(env) == b(env)) == equal
    if kind == z3.Z3_OP_NOT:
        return lambda env: not kids[0](env)
    if kind == z3.Z3_OP_BNOT:
        return lambda env: kids[0](env) ^ m
    if kind == z3.Z3_OP_BNEG:
        return lambda env: -kids[0](env) & m
    if kind == z3.Z3_OP_EXTRACT:
        hi, lo = t.params()
        return lambda env: (kids[0](env) >> lo) & ((1 << (hi - lo + 1)) - 1)
    if kind == z3.Z3_OP_ZERO_EXT:
        return kids[0]
    if kind == z3.Z3_OP_SIGN_EXT:
        return lambda env: _signed(kids[0](env), w) & m
    if kind == z3.Z3_OP_CONCAT:
        widths = [c.size() for c in t.children()]

        def concat(env: tuple) -> int:
            acc = 0
            for k, kw in zip(kids, widths):
                acc = (acc << kw) | k(env)
            return acc
        return concat
    if kind in (z3.Z3_OP_BUREM, z3.Z3_OP_BUREM_I, z3.Z3_OP_BUDIV, z3.Z3_OP_BUDIV_I):
        rem = kind in (z3.Z3_OP_BUREM, z3.Z3_OP_BUREM_I)
        a, b = kids    # z3: x udiv 0 = all ones, x urem 0 = x

        def divide(env: tuple) -> int:
            x, y = a(env), b(env)
            if y == 0:
                return x if rem else m
            return x % y if rem else x // y
        return divide
    raise NotImplementedError(t.decl().name())
