"""Harvest: the value a function returns, as the synthesis problem, and the
concrete examples the enumeration is judged on.

The source is encoded with the verifier's own semantics (translation/
ir_smt) on inputs that are neither poison nor undef; its domain is where
it returns without UB and its result is not poison. Poison and undef
inputs are left to verify_ir, which checks every result again.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import z3

from veriopt.agents.superopt.components import Expr
from veriopt.agents.superopt.semantics import smt_expr
from veriopt.errors import Unsupported
from veriopt.ir.model import Function
from veriopt.ir.types import IntType
from veriopt.translation.ir_smt.function import Inputs, encode_function
from veriopt.translation.ir_smt.values import Lane

Example = dict[str, int]   # argument name -> unsigned value


@dataclass
class Problem:
    """A function whose return value is to be synthesised."""

    fn: Function
    width: int                   # width of the arguments used as leaves
    ret_width: int               # width of the result (width, or 1)
    args: list[str]
    arg_widths: dict[str, int]   # narrower arguments enter zero-extended
    env: dict[str, z3.BitVecRef]
    value: z3.BitVecRef          # the source's result
    domain: z3.BoolRef           # the source is defined (no UB, returns, not poison)

    @classmethod
    def of(cls, fn: Function) -> "Problem | None":
        """The problem for `fn`, or None when it is out of scope: not
        integers in and out, a result neither the argument width nor i1,
        or a body the verifier cannot encode deterministically."""
        if not isinstance(fn.ret_type, IntType) or not fn.params:
            return None
        if not all(isinstance(p.type, IntType) for p in fn.params):
            return None
        ret_width = fn.ret_type.width
        width = max(max(p.type.width for p in fn.params), ret_width)
        if ret_width not in (width, 1) or width < 2 or width > 64:
            return None
        try:
            inputs = Inputs.make(fn.params, allow_poison=False, allow_undef=False)
            enc = encode_function(fn, inputs, "superopt")
        except (Unsupported, NotImplementedError, KeyError, ValueError):
            return None
        if enc.ret is None or not isinstance(enc.ret, Lane) or enc.undef_vars or enc.nondet_vars:
            return None
        env = {p.name: iv.value for p, iv in zip(fn.params, inputs.vars)}
        domain = z3.And(enc.returns, z3.Not(enc.ub), z3.Not(enc.ret.p))
        arg_widths = {p.name: p.type.width for p in fn.params}
        return cls(fn, width, ret_width, [p.name for p in fn.params], arg_widths, env,
                   enc.ret.v, domain)

    def output(self, example: Example) -> int | None:
        """The source's result on one input, None outside its domain."""
        pairs = [(self.env[n], z3.BitVecVal(v, self.arg_widths[n])) for n, v in example.items()]
        if not z3.is_true(z3.simplify(z3.substitute(self.domain, *pairs))):
            return None
        return z3.simplify(z3.substitute(self.value, *pairs)).as_long()

    def counterexample(self, e: Expr, seconds: float,
                       consts: dict[str, int] | None = None) -> Example | None | bool:
        """An input where `e` differs from the source (or is poison) inside
        its domain; False when there is none; None when z3 gave up."""
        lane = smt_expr(e, self.env, self.width, consts)
        s = z3.Solver()
        s.set("timeout", int(seconds * 1000))
        s.add(self.domain, z3.Or(lane.p, lane.v != self.value))
        result = s.check()
        if result == z3.unsat:
            return False
        if result != z3.sat:
            return None
        return self.example_of(s.model())

    def example_of(self, model: z3.ModelRef) -> Example:
        return {n: model.eval(v, model_completion=True).as_long() for n, v in self.env.items()}


def _corner_values(w: int) -> list[int]:
    m = (1 << w) - 1
    return [0, 1, 2, m, m - 1, 1 << (w - 1), (1 << (w - 1)) - 1, 7, 100 & m]


def initial_examples(problem: Problem, count: int, seed: int = 0) -> list[Example]:
    """Inputs where the source is defined: corners first, then random ones;
    z3 supplies one if sampling finds too few."""
    rng = random.Random(seed)
    widths = problem.arg_widths
    corners = {n: _corner_values(w) for n, w in widths.items()}
    examples: list[Example] = []
    for i in range(count * 4):
        if len(examples) >= count:
            break
        if i < len(corners[problem.args[0]]):
            ex = {n: corners[n][(i + k * 3) % len(corners[n])] for k, n in enumerate(problem.args)}
        else:
            ex = {n: rng.getrandbits(widths[n]) if rng.random() < 0.7
                  else rng.randrange(64) & ((1 << widths[n]) - 1) for n in problem.args}
        if problem.output(ex) is not None and ex not in examples:
            examples.append(ex)
    if not examples:
        s = z3.Solver()
        s.add(problem.domain)
        if s.check() == z3.sat:
            examples.append(problem.example_of(s.model()))
    return examples
