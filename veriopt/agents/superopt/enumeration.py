"""Bottom-up enumeration of expressions by weighted cost, one
representative per behaviour on the examples (observational equivalence).

Values on the examples come from the registry's semantics of each
component (concrete.evaluator); a result that is poison on some example
is dropped, since the source is defined on every example.
"""
from __future__ import annotations

import time
from typing import Iterator

from veriopt.agents.superopt.components import (
    BINARY, COMPARISONS, SELECT, UNARY, ZEXT, Expr, Vals,
)
from veriopt.agents.superopt.concrete import evaluator
from veriopt.agents.superopt.harvest import Example, Problem

Found = tuple[Expr, Vals, bool]    # expression, values on the examples, is boolean


class Bank:
    """Expressions found so far, one per behaviour on the examples, by cost."""

    def __init__(self) -> None:
        self.by_cost: dict[int, list[tuple[Expr, Vals]]] = {}
        self.bool_by_cost: dict[int, list[tuple[Expr, Vals]]] = {}
        self.seen: set[tuple[bool, Vals]] = set()

    def add(self, e: Expr, vals: Vals, cost: int, boolean: bool = False) -> bool:
        key = (boolean, vals)
        if key in self.seen:
            return False
        self.seen.add(key)
        (self.bool_by_cost if boolean else self.by_cost).setdefault(cost, []).append((e, vals))
        return True


def leaf(problem: Problem, name: str, examples: list[Example]) -> tuple[Expr, Vals, int]:
    """An argument as a leaf (zero-extended when narrower), its values and cost."""
    aw, w = problem.arg_widths[name], problem.width
    if aw == w:
        return ("arg", name), tuple(ex[name] for ex in examples), 0
    widen = evaluator(ZEXT.name, w, (aw,))
    return ("zextarg", name, aw), tuple(widen(ex[name]) for ex in examples), ZEXT.cost


def enumerate_expressions(problem: Problem, examples: list[Example],
                          constants: list[int], max_cost: int,
                          deadline: float) -> Iterator[Found]:
    """Every new behaviour (expression, values on examples, is boolean), by
    increasing cost, until `max_cost` or the deadline."""
    w = problem.width
    bank = Bank()
    for name in problem.args:
        e, vals, cost = leaf(problem, name, examples)
        if bank.add(e, vals, cost):
            yield e, vals, False
    for c in constants:
        e = ("const", c, w)
        vals = tuple(c for _ in examples)
        if bank.add(e, vals, 0):
            yield e, vals, False
    for cost in range(1, max_cost + 1):
        for i, (e, vals, boolean) in enumerate(_grow(bank, cost, w)):
            if i % 256 == 0 and time.monotonic() > deadline:
                return
            if bank.add(e, vals, cost, boolean):
                yield e, vals, boolean


def _grow(bank: Bank, cost: int, w: int) -> Iterator[Found]:
    """Candidate expressions of exactly `cost` built from the bank."""
    level = bank.by_cost
    for op, comp in UNARY.items():
        run = evaluator(op, w, (w,))
        for e, vals in level.get(cost - comp.cost, []):
            out = tuple(run(a) for a in vals)
            if None not in out:
                yield (op, e), out, False
    for op, comp in BINARY.items():
        yield from _pairs(level, cost - comp.cost, comp.commutative, w, op, (op,), False)
    for name, comp in COMPARISONS.items():
        yield from _pairs(level, cost - comp.cost, comp.commutative, w, name,
                          ("icmp", comp.predicate), True)
    widen, pick = evaluator(ZEXT.name, w, (1,)), evaluator(SELECT.name, w, (1, w, w))
    for cond, cv in bank.bool_by_cost.get(cost - 1, []):
        yield ("zext", cond), tuple(widen(c) for c in cv), False
        leaves = level.get(0, [])
        for e1, v1 in leaves:
            for e2, v2 in leaves:
                if e1 != e2:
                    yield (("select", cond, e1, e2),
                           tuple(pick(c, a, b) for c, a, b in zip(cv, v1, v2)), False)


def _pairs(level: dict[int, list[tuple[Expr, Vals]]], rest: int, commutative: bool, w: int,
           name: str, head: tuple, boolean: bool) -> Iterator[Found]:
    """`head + (e1, e2)` for operands whose costs add up to `rest`; one
    operand order for a commutative component."""
    run = evaluator(name, w, (w, w))
    for c1 in range(rest + 1):
        for e1, v1 in level.get(c1, []):
            for e2, v2 in level.get(rest - c1, []):
                if commutative and (c1, str(e1)) > (rest - c1, str(e2)):
                    continue
                out = tuple(run(a, b) for a, b in zip(v1, v2))
                if None not in out:
                    yield (*head, e1, e2), out, boolean

