"""Loops: unrolled up to their limit, the unroll bound or the static trip
count their header allows (`c_loops`). Inputs that need more iterations
are recorded in `unwind` and stop there; each way out of a loop records the
scalar variables' values, merged after it (`LoopState`)."""
from __future__ import annotations

import time

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_loops import counter_loop, literal, trips
from veriopt.translation.c_smt.state import LoopState, OutOfTime
from veriopt.translation.c_types import ArrT, IntT
from veriopt.translation.c_values import IntV, Var

FULL_UNROLL_LIMIT = 1024  # a loop whose header bounds it to this many iterations is unrolled fully
FULL_UNROLL_WORK = 1 << 14  # ... unless, with the loops around it, that makes more body copies


class LoopMixin:
    """Part of `Executor`: `while`, `do`, `for`, and their static bounds."""

    def s_While(self, node: c_ast.While) -> None:
        self.loop(node.cond, node.stmt, None, False, node)

    def s_DoWhile(self, node: c_ast.DoWhile) -> None:
        self.loop(node.cond, node.stmt, None, True, node)

    def s_For(self, node: c_ast.For) -> None:
        self.frame.scopes.append({})
        try:
            if isinstance(node.init, c_ast.DeclList):
                self.s_DeclList(node.init)
            elif node.init is not None:
                self.expr(node.init)
            self.loop(node.cond, node.stmt, node.next, False, node)
        finally:
            self.frame.scopes.pop()

    def loop(self, cond: c_ast.Node | None, body: c_ast.Node, step: c_ast.Node | None,
             do_while: bool, node: c_ast.Node) -> None:
        """Unroll up to the loop's limit; inputs needing more are recorded in
        `unwind` and stop there."""
        self.loops += 1
        f = self.frame
        limit, deepening = self.loop_limit(node)
        saved_pc, saved_brk, saved_cont = f.pc, f.brk, f.cont
        # Paths that already broke out of an enclosing switch or continued an
        # enclosing loop do not run this loop.
        f.pc = z3.simplify(z3.And(f.pc, z3.Not(f.brk), z3.Not(f.cont)))
        f.brk, f.cont = z3.BoolVal(False), z3.BoolVal(False)
        state = LoopState(self._visible_vars())
        f.loops.append(state)
        f.breakable.append(state)
        self.limits.append(limit)
        try:
            finished = False
            for i in range(limit):
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise OutOfTime()
                if not (do_while and i == 0) and self.exit_test(cond, state):
                    finished = True
                    break
                self.stmt(body)
                f.cont = z3.BoolVal(False)
                if step is not None:
                    self.expr(step)
                if z3.is_false(self.alive()):
                    finished = True
                    break
            if not finished:
                c = self.truth(self.expr(cond), cond) if cond is not None else z3.BoolVal(True)
                more = z3.simplify(z3.And(self.alive(), c))
                if not z3.is_false(more):
                    self.unwind = z3.simplify(z3.Or(self.unwind, more))
                    self.deepenable = self.deepenable or deepening
        finally:
            self.limits.pop()
            f.breakable.pop()
            f.loops.pop()
            f.pc, f.brk, f.cont = saved_pc, saved_brk, saved_cont
        state.merge()

    def exit_test(self, cond: c_ast.Node | None, state: LoopState) -> bool:
        """Evaluate the loop condition; paths where it fails leave the loop.

        Returns True when no path can stay in the loop (nothing more to unroll).
        """
        if cond is None:
            return False
        c = self.truth(self.expr(cond), cond)
        state.leave(z3.And(self.var_guard(), state.stay, z3.Not(c)))
        state.stay = z3.simplify(z3.And(state.stay, c))
        return z3.is_false(self.alive())

    def _visible_vars(self) -> list[Var]:
        """Scalar variables in scope: the ones a loop's exits must restore."""
        seen: dict[int, Var] = {}
        for scope in self.frame.scopes:
            for var in scope.values():
                if not isinstance(var.t, ArrT):
                    seen[id(var)] = var
        return list(seen.values())

    def loop_limit(self, node: c_ast.Node) -> tuple[int, bool]:
        """(iterations to unroll, whether that is the unroll bound rather than
        the loop's own static trip count)."""
        trips = self.static_trips(node)
        work = 1
        for outer in self.limits:
            work *= outer
        if trips is not None and self.unroll < trips <= FULL_UNROLL_LIMIT \
                and work * trips <= FULL_UNROLL_WORK:
            return trips, False
        return self.unroll, True

    def static_trips(self, node: c_ast.Node) -> int | None:
        """The most iterations a `for` loop's header allows, if it bounds them."""
        loop = counter_loop(node)
        if loop is None:
            return None
        var = self._int_var(loop.var, node)
        if var is None:
            return None
        start = self._known_range(var.value.v, var.t)
        var_range = (var.t.min(), var.t.max())
        # `c++` on an unsigned type wraps, and on a type narrower than int it
        # is computed in int and converted back, which wraps as gcc does.
        wraps = not var.t.signed or var.t.bits < T.INT.bits
        best = None
        for op, offset, bound in loop.tests:
            rng = self.static_range(bound, loop.modified)
            if rng is None:
                continue
            count = trips(op, offset, loop.step, start, rng, var_range, wraps)
            if count is not None and (best is None or count < best):
                best = count
        return best

    def _int_var(self, name: str, node: c_ast.Node) -> Var | None:
        """The integer variable `name` holding a value, or None: a static
        bound is only read from what is surely an integer."""
        try:
            var = self.lookup(name, node)
        except Unsupported:
            return None
        if not isinstance(var.t, IntT) or not isinstance(var.value, IntV):
            return None
        return var

    @staticmethod
    def _known_range(term: z3.BitVecRef, t: IntT) -> tuple[int, int]:
        """Bounds on a value of type `t`: exact for a constant, the narrower
        type's for a widened value (an `int` holding a `uint8_t`), else `t`'s."""
        term = z3.simplify(term)
        if z3.is_bv_value(term):
            v = term.as_signed_long() if t.signed else term.as_long()
            return v, v
        if z3.is_app_of(term, z3.Z3_OP_ZERO_EXT):
            width = term.arg(0).size()
            if width < t.bits:
                return 0, (1 << width) - 1
        if z3.is_app_of(term, z3.Z3_OP_CONCAT) and term.num_args() == 2 \
                and z3.is_bv_value(term.arg(0)) and term.arg(0).as_long() == 0:
            return 0, (1 << term.arg(1).size()) - 1   # simplify's spelling of zero_extend
        if z3.is_app_of(term, z3.Z3_OP_SIGN_EXT) and t.signed:
            width = term.arg(0).size()
            return -(1 << (width - 1)), (1 << (width - 1)) - 1
        return t.min(), t.max()

    def static_range(self, node: c_ast.Node, modified: set[str]) -> tuple[int, int] | None:
        """Bounds on the value of a loop bound expression, from constants, the
        current value of a variable the loop does not assign, or its type."""
        k = literal(node)
        if k is not None:
            return k, k
        if isinstance(node, c_ast.ID):
            var = self._int_var(node.name, node)
            if var is None:
                return None
            if node.name in modified:
                return var.t.min(), var.t.max()
            return self._known_range(var.value.v, var.t)
        if isinstance(node, c_ast.Cast):
            try:
                t = self.types.read(node.to_type)
            except Unsupported:
                return None
            if not isinstance(t, IntT):
                return None
            inner = self.static_range(node.expr, modified)
            if inner is not None and t.min() <= inner[0] and inner[1] <= t.max():
                return inner
            return t.min(), t.max()
        if isinstance(node, c_ast.UnaryOp) and node.op == "sizeof":
            try:
                size = z3.simplify(self.sizeof(node.expr).v).as_long()
            except Unsupported:
                return None
            return size, size
        if isinstance(node, c_ast.BinaryOp) and node.op in ("+", "-", "*"):
            left = self.static_range(node.left, modified)
            right = self.static_range(node.right, modified)
            if left is None or right is None:
                return None
            if node.op == "+":
                return left[0] + right[0], left[1] + right[1]
            if node.op == "-":
                return left[0] - right[1], left[1] - right[0]
            corners = [a * b for a in left for b in right]
            return min(corners), max(corners)
        return None
