"""A poison-aware concrete interpreter of the IR semantics: the SMT terms of
a function evaluated on concrete arguments.

LLVM's JIT cannot see poison (`lshr exact 41, 3` runs as 5), so fuzzing and
the tests need this: it answers with the same semantics the verifier
proves with. The function is encoded once; each run substitutes concrete
inputs. Where the function makes a choice (freeze of poison, undef) the
choice is fixed (0 by default) and `deterministic` says so.
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Function
from veriopt.translation.ir_smt.function import Inputs, encode_function
from veriopt.translation.ir_smt.values import lanes

POISON = None  # an argument lane or result lane that is poison


@dataclass
class Outcome:
    ub: bool
    returns: bool
    value: list[int | None] | None    # result lanes (None = poison); None for void
    deterministic: bool


class ConcreteRunner:
    """A function encoded once, run on concrete argument lanes."""

    def __init__(self, fn: Function, little_endian: bool = True, choice: int = 0):
        self.fn = fn
        self.inputs = Inputs.make(fn.params, allow_poison=True, allow_undef=False)
        if len(self.inputs.memory.blocks) > 1:   # the caller's memory is not concrete here
            raise Unsupported("pointers (arguments into the caller's memory) in the concrete interpreter")
        enc = encode_function(fn, self.inputs, f"run:{fn.name}", little_endian)
        choices = enc.undef_vars + enc.nondet_vars
        self.deterministic = not choices
        self.void = enc.ret is None
        ret = [] if enc.ret is None else lanes(enc.ret)
        self.n_lanes = len(ret)
        self.terms = [enc.ub, enc.returns] + [lane.p for lane in ret] + [lane.v for lane in ret]
        self.fixed = [(c, z3.BitVecVal(choice % (1 << c.size()), c.size())) for c in choices]

    def widths(self) -> list[int]:
        return [iv.value.size() for iv in self.inputs.vars]

    def run(self, flat_args: list[int | None]) -> Outcome:
        if len(flat_args) != len(self.inputs.vars):
            raise ValueError(f"@{self.fn.name} takes {len(self.inputs.vars)} argument lanes, "
                             f"got {len(flat_args)}")
        pairs = list(self.fixed)
        for iv, value in zip(self.inputs.vars, flat_args):
            w = iv.value.size()
            pairs.append((iv.value, z3.BitVecVal(0 if value is POISON else value % (1 << w), w)))
            pairs.append((iv.poison, z3.BoolVal(value is POISON)))
        out = [z3.simplify(z3.substitute(t, *pairs)) for t in self.terms]
        n = self.n_lanes
        poison = [z3.is_true(p) for p in out[2:2 + n]]
        values = [None if p else v.as_long() for p, v in zip(poison, out[2 + n:])]
        return Outcome(z3.is_true(out[0]), z3.is_true(out[1]), None if self.void else values,
                       self.deterministic)


def evaluate(fn: Function, args: list, little_endian: bool = True, choice: int = 0) -> Outcome:
    """Run `fn` once: one int (or POISON) per scalar argument, a list of them
    per vector argument."""
    flat = []
    for arg in args:
        flat += list(arg) if isinstance(arg, (list, tuple)) else [arg]
    return ConcreteRunner(fn, little_endian, choice).run(flat)
