"""Random functions: a main width, 1-4 parameters, a chain of random
instructions (see instructions.py), then the dead ones pruned.
"""
from __future__ import annotations

import random

from veriopt.verify.random_ir.instructions import WIDTHS, Builder, weighted
from veriopt.verify.random_ir.model import Function, Operand

PARAM_NAMES = (("x", "y", "z", "w"), ("a", "b", "c", "d"), ("p", "q", "r", "s"))


def random_function(rng: random.Random, min_instrs: int = 2, max_instrs: int = 8) -> Function:
    """A random integer function named @src, of min_instrs..max_instrs
    instructions (nearly always all of them live)."""
    for _ in range(50):
        fn = _random_function(rng, max_instrs)
        if rng.random() < 0.92:
            prune(fn)
        if len(fn.body) >= min_instrs:
            return fn
    return fn


def _random_function(rng: random.Random, max_instrs: int) -> Function:
    W = weighted(rng, WIDTHS)
    names = rng.choice(PARAM_NAMES)
    nparams = weighted(rng, [(1, 25), (2, 40), (3, 25), (4, 10)])
    b = Builder(rng, W)
    params = []
    for k in range(nparams):
        if k == 0:
            pw = W
        else:
            pw = weighted(rng, [(W, 70), (1, 15), (None, 15)])
            if pw is None:
                pw = weighted(rng, [(v, c) for v, c in WIDTHS if v != W])
        # undef inputs of wide types make alive-tv's quantified queries slow
        params.append((names[k], pw, rng.random() < (0.25 if pw <= 16 else 0.85)))
        b.add_value(names[k], pw)
    count = min(max_instrs, weighted(
        rng, [(2, 6), (3, 12), (4, 18), (5, 20), (6, 16), (7, 14), (8, 14)]))
    for k in range(count):
        # prefer values of the main width as the first operand, unused ones first
        a = b.pick(W) if rng.random() < 0.7 else b.pick()
        if a is None:
            a = b.pick()
        ins = b.instr(f"t{k}", a)
        b.body.append(ins)
        b.add_value(ins.name, ins.width)
    ret = Operand("val", b.body[-1].width, b.body[-1].name)
    return Function(params, b.body, ret)


def prune(fn: Function) -> None:
    """Drop the instructions the returned value does not depend on."""
    live = {fn.ret.name} if fn.ret.kind == "val" else set()
    for ins in reversed(fn.body):
        if ins.name in live:
            live |= {a.name for a in ins.args if a.kind == "val"}
    fn.body = [ins for ins in fn.body if ins.name in live]
