"""Solving the C refinement queries: array-free and split by buffer length.

Two rewrites of the query keep loop-heavy pairs in reach of the solver:

* Ackermann expansion: the only array left in a query is the caller's
  initial memory, and it is only read. Each read becomes a fresh bit-vector
  with "same address, same value" constraints, which z3 solves far faster
  than through its array theory (seconds instead of timeouts at unroll 4).
* Case split on a length parameter: with `n` fixed, every loop guard folds
  to a constant and the two sides' terms become near-identical, where the
  symbolic `n` left an adder-chain equivalence for the SAT solver. Values
  0..M are tried one by one, then the rest in one query.

Unsat of every part is unsat of the whole; an unknown part makes the whole
unknown. A satisfying model is completed back over the original vocabulary
(initial memory included) so counterexamples can be printed and replayed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import z3

RLIMIT_PER_SECOND = 20_000_000   # z3 resource units allowed per second of budget


@dataclass
class Answer:
    result: z3.CheckSatResult
    model: z3.ModelRef | None = None
    reason: str = ""


def _reads(terms: list[z3.ExprRef]) -> list[z3.ExprRef]:
    found: dict[int, z3.ExprRef] = {}
    seen: set[int] = set()
    stack = list(terms)
    while stack:
        e = stack.pop()
        if e.get_id() in seen:
            continue
        seen.add(e.get_id())
        if z3.is_select(e):
            found.setdefault(e.get_id(), e)
        stack.extend(e.children())
    return list(found.values())


def _offset_form(term: z3.ExprRef) -> tuple[z3.ExprRef, int]:
    """`base + constant` as (base, constant); anything else as (term, 0)."""
    if z3.is_app_of(term, z3.Z3_OP_BADD) and term.num_args() == 2:
        a, b = term.arg(0), term.arg(1)
        if z3.is_bv_value(a):
            return b, a.as_long()
        if z3.is_bv_value(b):
            return a, b.as_long()
    return term, 0


def ackermannize(constraints: list[z3.BoolRef]) -> tuple[list[z3.BoolRef], list[tuple]]:
    """The constraints with array reads replaced by fresh variables."""
    reads = _reads(constraints)
    if not reads:
        return constraints, []
    fresh = [z3.BitVec(f"read!{i}", r.sort().size()) for i, r in enumerate(reads)]
    pairs = list(zip(reads, fresh))
    out = [z3.substitute(c, *pairs) for c in constraints]
    forms = [_offset_form(r.arg(1)) for r in reads]
    indices: list[z3.ExprRef | None] = [None] * len(reads)
    for i in range(len(reads)):
        for j in range(i + 1, len(reads)):
            if not reads[i].arg(0).eq(reads[j].arg(0)):
                continue
            (base_i, off_i), (base_j, off_j) = forms[i], forms[j]
            if base_i.eq(base_j) and off_i != off_j:
                continue  # same base, different constant offset: never the same byte
            for k in (i, j):
                if indices[k] is None:
                    indices[k] = z3.substitute(reads[k].arg(1), *pairs)
            out.append(z3.Implies(indices[i] == indices[j], fresh[i] == fresh[j]))
    return [z3.And(out)], pairs


class Solver:
    """Runs queries against one deadline, with fixed seeds and a work limit."""

    def __init__(self, deadline: float, split_on: z3.BitVecRef | None, split_max: int,
                 split_signed: bool, arrays: bool = True):
        self.deadline = deadline
        self.arrays = arrays        # False: no query reads memory, nothing to expand
        self.split_on = split_on
        self.split_max = split_max
        self.split_signed = split_signed

    def check(self, constraints: list[z3.BoolRef]) -> Answer:
        """sat (with a model over the original terms), unsat, or unknown."""
        flat, pairs = ackermannize(constraints) if self.arrays else (constraints, [])
        for part in self.parts(flat):
            answer = self._check_flat(part)
            if answer.result == z3.sat:
                return self._complete(answer.model, pairs, constraints)
            if answer.result != z3.unsat:
                return answer
        return Answer(z3.unsat)

    def parts(self, constraints: list[z3.BoolRef]):
        n = self.split_on
        if n is None:
            yield constraints
            return
        for value in range(self.split_max + 1):
            fixed = z3.BitVecVal(value, n.size())
            part = z3.simplify(z3.substitute(z3.And(constraints), (n, fixed)))
            if z3.is_false(part):
                continue
            yield [part, n == fixed]
        low = n < 0 if self.split_signed else z3.BoolVal(False)
        high = n > self.split_max if self.split_signed else z3.UGT(n, self.split_max)
        yield constraints + [z3.Or(low, high)]

    def _check_flat(self, constraints: list[z3.BoolRef]) -> Answer:
        left = self.deadline - time.monotonic()
        if left <= 0:
            return Answer(z3.unknown, reason="timeout")
        solver = _solver(left)
        solver.add(constraints)
        result = solver.check()
        if result == z3.unknown:
            return Answer(result, reason=_reason(solver.reason_unknown()))
        return Answer(result, solver.model() if result == z3.sat else None)

    def _complete(self, model: z3.ModelRef, pairs: list[tuple], constraints: list[z3.BoolRef]
                  ) -> Answer:
        """A model of the original constraints agreeing with `model` on all inputs."""
        fixes = []
        for decl in model.decls():
            if decl.arity() != 0 or decl.name().startswith("read!"):
                continue
            const = decl()
            fixes.append(const == model[decl])
        for read, fresh in pairs:
            fixes.append(read == model.eval(fresh, model_completion=True))
        left = max(self.deadline - time.monotonic(), 1.0)
        solver = _solver(left)
        solver.add(constraints + fixes)
        if solver.check() == z3.sat:
            return Answer(z3.sat, solver.model())
        return Answer(z3.unknown, reason="could not rebuild the counterexample model")


def _solver(seconds: float) -> z3.Solver:
    solver = z3.Solver()
    solver.set("timeout", max(1, int(seconds * 1000)))
    solver.set("rlimit", int(max(seconds, 1.0) * RLIMIT_PER_SECOND))
    solver.set("random_seed", 0)
    return solver


def _reason(text: str) -> str:
    if any(w in text for w in ("timeout", "canceled", "resource", "max. resource")):
        return "timeout"
    return text or "solver gave up"
