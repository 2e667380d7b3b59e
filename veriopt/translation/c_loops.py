"""Static trip counts of C `for` loops, read from the loop header.

`for (int i = 0; i < 100; i++)` runs at most 100 times, and so does any
loop whose counter is compared with something the types bound:
`for (uint8_t i = 0; i < n; i++)` with `n` a `uint8_t` runs at most 255
times. Such loops are unrolled that far, which makes the check a proof
instead of a bounded one.

Only the *choice* of an unroll limit rests on this analysis, never a
verdict: the executor still records every input on which a loop has not
finished within its limit, so a count that is too small yields `bounded`
(or `unknown`), never a wrong `correct`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation.c_values import int_literal

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!="}


@dataclass
class CounterLoop:
    """A `for` loop stepping one integer variable by a constant.

    The loop keeps going only while every test `var + offset OP bound`
    holds (the tests are the `&&`-conjuncts of its condition that have
    this shape; other conjuncts can only end it sooner)."""

    var: str
    step: int
    tests: list[tuple[str, int, c_ast.Node]]
    modified: set[str] = field(default_factory=set)   # names the loop assigns


def literal(node: c_ast.Node | None) -> int | None:
    """The value of an integer literal (or its negation), else None."""
    negate = False
    if isinstance(node, c_ast.UnaryOp) and node.op in ("-", "+"):
        negate = node.op == "-"
        node = node.expr
    if not isinstance(node, c_ast.Constant) or node.type in ("char", "string", "float",
                                                               "double", "long double"):
        return None
    try:
        val = z3.simplify(int_literal(node.value, node).v)
    except Unsupported:
        return None
    if not z3.is_bv_value(val):
        return None
    value = val.as_long()
    return -value if negate else value


class _Assigned(c_ast.NodeVisitor):
    """Names of scalar variables a statement assigns (`x = `, `x += `, `x++`)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def _lvalue(self, node: c_ast.Node) -> None:
        while isinstance(node, c_ast.Cast):
            node = node.expr
        if isinstance(node, c_ast.ID):
            self.names.add(node.name)

    def visit_Assignment(self, node: c_ast.Assignment) -> None:
        self._lvalue(node.lvalue)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: c_ast.UnaryOp) -> None:
        if node.op in ("++", "--", "p++", "p--", "&"):
            self._lvalue(node.expr)
        self.generic_visit(node)


def assigned_names(*nodes: c_ast.Node | None) -> set[str]:
    visitor = _Assigned()
    for node in nodes:
        if node is not None:
            visitor.visit(node)
    return visitor.names


def _steps(step: c_ast.Node | None) -> dict[str, int]:
    """Counter variables the step expression moves by a constant: name -> delta."""
    if step is None:
        return {}
    parts = step.exprs if isinstance(step, c_ast.ExprList) else [step]
    out: dict[str, int] = {}
    seen: list[str] = []
    for part in parts:
        found = _one_step(part)
        if found is None:
            continue
        name, delta = found
        seen.append(name)
        out[name] = delta
    # a counter stepped twice (`i++, i++`) is not read here
    return {n: d for n, d in out.items() if seen.count(n) == 1 and d != 0}


def _one_step(node: c_ast.Node) -> tuple[str, int] | None:
    if isinstance(node, c_ast.UnaryOp) and node.op in ("++", "--", "p++", "p--") \
            and isinstance(node.expr, c_ast.ID):
        return node.expr.name, 1 if "+" in node.op else -1
    if isinstance(node, c_ast.Assignment) and isinstance(node.lvalue, c_ast.ID):
        name = node.lvalue.name
        if node.op in ("+=", "-="):
            k = literal(node.rvalue)
            if k is None:
                return None
            return name, k if node.op == "+=" else -k
        if node.op == "=":
            form = _var_plus_const(node.rvalue)
            if form is not None and form[0] == name:
                return name, form[1]
    return None


def _var_plus_const(node: c_ast.Node) -> tuple[str, int] | None:
    """`v`, `v + k`, `k + v`, `v - k` as (v, k)."""
    if isinstance(node, c_ast.ID):
        return node.name, 0
    if isinstance(node, c_ast.BinaryOp) and node.op in ("+", "-"):
        if isinstance(node.left, c_ast.ID):
            k = literal(node.right)
            if k is not None:
                return node.left.name, k if node.op == "+" else -k
        if node.op == "+" and isinstance(node.right, c_ast.ID):
            k = literal(node.left)
            if k is not None:
                return node.right.name, k
    return None


def _conjuncts(cond: c_ast.Node) -> list[c_ast.Node]:
    if isinstance(cond, c_ast.BinaryOp) and cond.op == "&&":
        return _conjuncts(cond.left) + _conjuncts(cond.right)
    return [cond]


def counter_loop(node: c_ast.Node) -> CounterLoop | None:
    """The counter and bound tests of a `for` loop, or None if it has no such shape."""
    if not isinstance(node, c_ast.For) or node.cond is None:
        return None
    steps = _steps(node.next)
    if not steps:
        return None
    modified = assigned_names(node.stmt, node.cond)
    for var, delta in steps.items():
        if var in modified:
            continue
        tests = []
        for part in _conjuncts(node.cond):
            if not isinstance(part, c_ast.BinaryOp) or part.op not in _FLIP:
                continue
            for side, other, op in ((part.left, part.right, part.op),
                                    (part.right, part.left, _FLIP[part.op])):
                form = _var_plus_const(side)
                if form is not None and form[0] == var:
                    tests.append((op, form[1], other))
                    break
        if tests:
            return CounterLoop(var, delta, tests, modified | assigned_names(node.next) - {var})
    return None


def trips(op: str, offset: int, step: int, start: tuple[int, int], bound: tuple[int, int],
          var_range: tuple[int, int], wraps: bool = False) -> int | None:
    """Most iterations of a loop running while `var + offset OP bound`, with `var`
    starting in `start`, moving by `step`, never leaving `var_range` (a counter
    that would overflow gives None). A counter that `wraps` (an unsigned or
    narrow type) stepping by one reaches any value of its range: `!=` then
    ends within one turn, e.g. `for (unsigned char c = 250; c != 4; c++)`."""
    s_lo, s_hi = start[0] + offset, start[1] + offset
    e_lo, e_hi = bound
    v_lo, v_hi = var_range
    if op == "!=" and wraps and offset == 0 and step in (1, -1) \
            and v_lo <= e_lo and e_hi <= v_hi:
        turn = v_hi - v_lo + 1
        if s_lo == s_hi and e_lo == e_hi:
            return ((e_lo - s_lo) * step) % turn
        return turn - 1
    if step > 0:
        if op == "<":
            count = max(0, -(-(e_hi - s_lo) // step))
            top = e_hi - 1 - offset + step
        elif op == "<=":
            count = max(0, (e_hi - s_lo) // step + 1)
            top = e_hi - offset + step
        elif op == "!=" and step == 1 and e_lo >= s_hi:
            count = e_hi - s_lo
            top = e_hi - offset
        else:
            return None
        return count if top <= v_hi else None
    if op == ">":
        count = max(0, -(-(s_hi - e_lo) // -step))
        bottom = e_lo + 1 - offset + step
    elif op == ">=":
        count = max(0, (s_hi - e_lo) // -step + 1)
        bottom = e_lo - offset + step
    elif op == "!=" and step == -1 and e_hi <= s_lo:
        count = s_hi - e_lo
        bottom = e_lo - offset
    else:
        return None
    return count if bottom >= v_lo else None
