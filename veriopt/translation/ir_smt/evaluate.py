"""A poison-aware concrete interpreter of the IR semantics: the SMT terms of
a function evaluated on concrete arguments.

LLVM's JIT cannot see poison (`lshr exact 41, 3` runs as 5), so fuzzing and
the tests need this: it answers with the same semantics the verifier
proves with. Where the function makes a choice (freeze of poison, undef),
`choice` fixes it (0 by default) and `deterministic` says whether any
choice was involved.
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from veriopt.ir.model import Function
from veriopt.translation.ir_smt.function import Inputs, encode_function
from veriopt.translation.ir_smt.values import SVal, lanes

POISON = None  # an argument lane or result lane that is poison


@dataclass
class Outcome:
    ub: bool
    returns: bool
    value: list[int | None] | None    # result lanes (None = poison); None for void
    deterministic: bool


def _lane_count(fn: Function) -> list[int]:
    counts = []
    for p in fn.params:
        ty = p.type
        counts.append(ty.count if hasattr(ty, "count") else 1)
    return counts


def evaluate(fn: Function, args: list, little_endian: bool = True, choice: int = 0) -> Outcome:
    """Run `fn` on `args`: one int (or POISON) per scalar argument, a list of
    them per vector argument."""
    inputs = Inputs.make(fn.params, allow_poison=True, allow_undef=False)
    flat = []
    for arg in args:
        flat += list(arg) if isinstance(arg, (list, tuple)) else [arg]
    if len(flat) != len(inputs.vars):
        raise ValueError(f"@{fn.name} takes {len(inputs.vars)} argument lanes, got {len(flat)}")
    pairs = []
    for iv, value in zip(inputs.vars, flat):
        w = iv.value.size()
        pairs.append((iv.value, z3.BitVecVal(0 if value is POISON else value % (1 << w), w)))
        pairs.append((iv.poison, z3.BoolVal(value is POISON)))
    enc = encode_function(fn, inputs, "eval", little_endian)
    choices = enc.undef_vars + enc.nondet_vars
    pairs += [(c, z3.BitVecVal(choice % (1 << c.size()), c.size())) for c in choices]

    def ev(term):
        return z3.simplify(z3.substitute(term, *pairs))

    ub = z3.is_true(ev(enc.ub))
    returns = z3.is_true(ev(enc.returns))
    value = None
    if enc.ret is not None:
        value = [None if z3.is_true(ev(lane.p)) else ev(lane.v).as_long() for lane in lanes(enc.ret)]
    return Outcome(ub, returns, value, deterministic=not choices)


def result_lanes(val: SVal) -> int:
    return len(lanes(val))
