"""Shared helpers for the C-level tests: write C text to files, run the
symbolic semantics of one function on concrete integer arguments."""
from __future__ import annotations

from pathlib import Path

import z3
from veriopt.limits import UNROLL_DEEPENING
from veriopt.translation import c_smt
from veriopt.translation.c_frontend import load
from veriopt.translation.c_types import IntT

CORPUS = Path(__file__).resolve().parent.parent / "veriopt" / "corpus" / "c"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


class Symbolic:
    """One function run symbolically once, then evaluated on concrete arguments."""

    def __init__(self, tmp_path: Path, text: str, fn: str, unroll: int = UNROLL_DEEPENING[0]):
        program = load(write(tmp_path, "unit.c", text))
        self.params = c_smt.read_params(program, program.function(fn))
        self.inputs = c_smt.make_inputs(self.params)
        self.out = c_smt.Executor(program, unroll, "source").run(fn, self.inputs)

    def at(self, args: list[int]):
        """(has_ub, returned value as a Python int or None, unwound)."""
        out, inputs = self.out, self.inputs
        subs = [(val.v, z3.BitVecVal(a, t.bits))
                for (_, t), val, a in zip(self.params, inputs.values, args) if isinstance(t, IntT)]
        fix = (lambda term: z3.simplify(z3.substitute(term, *subs))) if subs else z3.simplify
        assume = [fix(a) for a in inputs.assumptions + out.assumptions]
        ub = _decide(assume, fix(out.ub))
        unwind = _decide(assume, fix(out.unwind))
        value = None
        if out.ret is not None and not ub:
            term = fix(out.ret.v)
            if z3.is_bv_value(term):
                bits = term.as_long()
            else:
                solver = z3.Solver()
                solver.add(assume + [z3.Not(fix(out.ub))])
                assert solver.check() == z3.sat
                bits = solver.model().eval(term, model_completion=True).as_long()
                solver.add(term != bits)
                assert solver.check() == z3.unsat, "value not determined by the inputs"
            t = out.ret.t
            value = bits - (1 << t.bits) if t.signed and bits >> (t.bits - 1) else bits
        return ub, value, unwind


def run_concrete(tmp_path: Path, text: str, fn: str, args: list[int],
                 unroll: int = UNROLL_DEEPENING[0]):
    """(has_ub, returned value as a Python int or None, unwound) for integer args."""
    return Symbolic(tmp_path, text, fn, unroll).at(args)


def _decide(assume: list, cond) -> bool:
    """Whether `cond` holds, checking it is determined by the concrete inputs."""
    if z3.is_true(cond) or z3.is_false(cond):
        return z3.is_true(cond)
    solver = z3.Solver()
    solver.add(assume)
    can_hold = solver.check(cond) == z3.sat
    can_fail = solver.check(z3.Not(cond)) == z3.sat
    assert can_hold != can_fail, f"not determined by the inputs: {cond}"
    return can_hold
