"""Infer: one enumeration over the examples, with symbolic constants solved
counterexample-guided (CEGIS), and every hit checked on all inputs.

Shapes `op(e, C)` get C read off one example where the operation can be
inverted (add, sub, xor), else solved with z3 over the examples; a
solution is checked on all inputs and a counterexample joins the
constraints. An expression equal to the source on the examples is checked
on all inputs (a counterexample restarts the enumeration with it), then by
`verify_ir` itself, poison and undef arguments included. Only what
verify_ir proved is returned.
"""
from __future__ import annotations

import time
from typing import Union

import z3

from veriopt.agents.superopt.components import (
    BINARY, PREDICATES, Expr, Vals, expr_cost, fill_hole,
)
from veriopt.agents.superopt.concrete import evaluator
from veriopt.agents.superopt.emit import emit_function
from veriopt.agents.superopt.enumeration import enumerate_expressions
from veriopt.agents.superopt.harvest import Example, Problem
from veriopt.agents.superopt.semantics import smt_expr
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.verdict import Status

HOLE_SECONDS = 0.5     # one z3 solve for a constant over the examples: a search step, not a proof
HOLE_ROUNDS = 8        # CEGIS rounds for one shape before it is given up

# An expression proved (with its module), a counterexample to restart with, or nothing.
Outcome = Union[tuple[Expr, str], Example, None]

# C from one example (operand value e0, wanted output y0), per (operation, side of C)
_INVERSES = {("add", 1): lambda e0, y0, m: (y0 - e0) & m,
             ("sub", 1): lambda e0, y0, m: (e0 - y0) & m,
             ("sub", 2): lambda e0, y0, m: (y0 + e0) & m,
             ("xor", 1): lambda e0, y0, m: y0 ^ e0}


class Search:
    """The search for one problem; `rejected` outlives restarts, so an
    expression refuted for a reason other than a counterexample is not
    checked again."""

    def __init__(self, problem: Problem, text: str, source: str, options: VerifyOptions,
                 deadline: float, solved_holes: int):
        self.problem = problem
        self.text = text                 # the canonical module the result is emitted into
        self.source = source             # the module as given, verified against
        self.options = options
        self.deadline = deadline
        self.solved_holes = solved_holes # expressions tried with a z3-solved constant, per level
        self.rejected: set[str] = set()

    def late(self) -> bool:
        return time.monotonic() > self.deadline

    def one_pass(self, examples: list[Example], constants: list[int], max_cost: int) -> Outcome:
        """Iterative deepening over cost: at each level, shapes with a
        symbolic constant over the cheaper expressions, then the
        enumeration's expressions of that cost."""
        problem = self.problem
        outputs = tuple(problem.output(ex) for ex in examples)
        want_bool = problem.ret_width == 1 and problem.width != 1
        for name in problem.args:           # cost 0: return an argument itself
            leaf = ("arg", name)
            if problem.arg_widths[name] == problem.ret_width and str(leaf) not in self.rejected \
                    and tuple(ex[name] for ex in examples) == outputs:
                outcome = self.check(leaf)
                if outcome is not None:
                    return outcome
        entries: list[tuple[Expr, Vals]] = []
        for limit in range(1, max_cost + 1):
            if not want_bool:
                outcome = self._holes(entries, limit, examples, outputs, "invertible")
                if outcome is not None:
                    return outcome
            previous, entries = entries, []
            for e, vals, boolean in enumerate_expressions(problem, examples, constants,
                                                          limit, self.deadline):
                if not boolean and len(set(vals)) > 1:
                    entries.append((e, vals))
                if expr_cost(e) != limit or boolean != want_bool or vals != outputs \
                        or str(e) in self.rejected:
                    continue
                outcome = self.check(e)
                if outcome is not None:
                    return outcome
            if self.late():
                return None
            outcome = self._holes(previous[:self.solved_holes], limit, examples, outputs, "solved")
            if outcome is not None:
                return outcome
        return None

    def _holes(self, entries: list[tuple[Expr, Vals]], limit: int, examples: list[Example],
               outputs: Vals, how: str) -> Outcome:
        """op(e, C) and op(C, e) of cost exactly `limit`, C found `how`:
        "invertible" reads it off one example, "solved" asks z3."""
        problem, w = self.problem, self.problem.width
        leaf_entries = [(("arg", n), tuple(ex[n] for ex in examples)) for n in problem.args
                        if problem.arg_widths[n] == w]
        pool = leaf_entries if limit == 1 else entries
        if problem.ret_width == 1 and w != 1:
            return self._icmp_holes(pool, limit, examples, outputs) if how == "solved" else None
        for e, vals in pool:
            for op, comp in BINARY.items():
                if self.late():
                    return None
                if expr_cost(e) + comp.cost != limit:
                    continue
                for side in (1, 2):
                    if side == 2 and comp.commutative:
                        continue
                    if ((op, side) in _INVERSES) != (how == "invertible"):
                        continue
                    shape = (op, e, ("hole", "C")) if side == 1 else (op, ("hole", "C"), e)
                    if how == "invertible":
                        outcome = self._inverted(shape, side, vals, outputs)
                    else:
                        outcome = self._solve_constant(shape, examples, outputs)
                    if outcome is not None:
                        return outcome
        return None

    def _inverted(self, shape: Expr, side: int, vals: Vals, outputs: Vals) -> Outcome:
        """C read off the first example, kept if it fits them all, checked."""
        w = self.problem.width
        op = shape[0]
        c = _INVERSES[(op, side)](vals[0], outputs[0], (1 << w) - 1)
        run = evaluator(op, w, (w, w))
        if any((run(a, c) if side == 1 else run(c, a)) != y for a, y in zip(vals, outputs)):
            return None
        concrete = fill_hole(shape, c, w)
        return None if str(concrete) in self.rejected else self.check(concrete)

    def _icmp_holes(self, pool: list[tuple[Expr, Vals]], limit: int, examples: list[Example],
                    outputs: Vals) -> Outcome:
        """icmp pred e, C of cost exactly `limit`, C solved with z3."""
        for e, _vals in pool:
            if expr_cost(e) + 1 != limit:
                continue
            for pred in PREDICATES:
                if self.late():
                    return None
                outcome = self._solve_constant(("icmp", pred, e, ("hole", "C")), examples, outputs)
                if outcome is not None:
                    return outcome
        return None

    def _solve_constant(self, shape: Expr, examples: list[Example], outputs: Vals) -> Outcome:
        problem, w = self.problem, self.problem.width
        hole = z3.BitVec("C", w)
        s = z3.Solver()
        s.set("timeout", int(HOLE_SECONDS * 1000))

        def agree(ex: Example, out: int) -> None:
            env = {n: z3.BitVecVal(v, problem.arg_widths[n]) for n, v in ex.items()}
            lane = smt_expr(shape, {**env, "C": hole}, w)
            s.add(z3.Not(lane.p), lane.v == out)
        for ex, out in zip(examples, outputs):
            agree(ex, out)
        for _ in range(HOLE_ROUNDS):
            if s.check() != z3.sat:
                return None
            c = s.model().eval(hole, model_completion=True).as_long()
            concrete = fill_hole(shape, c, w)
            cex = problem.counterexample(concrete, self.options.timeout)
            if cex is None:
                return None
            if cex is False:
                return self.check(concrete)
            agree(cex, problem.output(cex))
        return None

    def check(self, e: Expr) -> Outcome:
        """A counterexample, (expr, module) when verify_ir proves it, or
        None when it was rejected for another reason (recorded)."""
        problem = self.problem
        cex = problem.counterexample(e, self.options.timeout)
        if isinstance(cex, dict):
            return cex
        if cex is None:
            self.rejected.add(str(e))
            return None
        code = emit_function(problem, e, self.text)
        verdict = verify_ir(self.source, code, problem.fn.name, problem.fn.name, self.options)
        if verdict.status is Status.CORRECT:
            return e, code
        self.rejected.add(str(e))
        return None
