"""Constrained FP intrinsics (`llvm.experimental.constrained.*`) with
`fpexcept.ignore`: an explicit rounding mode, or `round.dynamic` — the
environment's mode, one unknown shared by source and target. As in Alive2,
a static mode the environment does not have makes the result poison.
Exception behaviours `maytrap` and `strict` (exception flags observable)
are not modelled: `unsupported`.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.fp_flags import fm_flags, fp_lane
from veriopt.translation.ir_smt.fp_values import shared_var, sort
from veriopt.translation.ir_smt.registry import intrinsic
from veriopt.translation.ir_smt.values import Lane, map_lanes, zip_lanes

MODES = ["round.tonearest", "round.downward", "round.upward", "round.towardzero",
         "round.tonearestaway"]
Z3_MODES = [z3.RNE, z3.RTN, z3.RTP, z3.RTZ, z3.RNA]

OPS = {
    "fadd": (2, lambda rm, a, b: z3.fpAdd(rm, a, b)),
    "fsub": (2, lambda rm, a, b: z3.fpSub(rm, a, b)),
    "fmul": (2, lambda rm, a, b: z3.fpMul(rm, a, b)),
    "fdiv": (2, lambda rm, a, b: z3.fpDiv(rm, a, b)),
    "fma": (3, lambda rm, a, b, c: z3.fpFMA(rm, a, b, c)),
    "sqrt": (1, lambda rm, a: z3.fpSqrt(rm, a)),
}


def _metadata(instr, index: int) -> str:
    arg = instr.operands[index]
    text = getattr(arg, "text", "")
    if not text.startswith('metadata !"'):
        raise Unsupported(f"metadata argument of {instr.extra['callee']}")
    return text[len('metadata !"'):-1]


def _mode(ctx, name: str):
    """(the Z3 rounding mode, the condition under which the result is not
    poison)."""
    env = shared_var(ctx, "fp:rounding_mode", 3)
    if name == "round.dynamic":
        rm = Z3_MODES[0]()
        for k in range(len(MODES) - 1, 0, -1):
            rm = z3.If(env == k, Z3_MODES[k](), rm)
        return rm, z3.BoolVal(True)
    if name not in MODES:
        raise Unsupported(f"rounding mode {name}")
    k = MODES.index(name)
    in_env = env == k if k else z3.Or(env == 0, z3.UGE(env, len(MODES)))
    return Z3_MODES[k](), in_env


@intrinsic(*[f"llvm.experimental.constrained.{op}" for op in OPS])
def _constrained(ctx, instr):
    op = instr.extra["callee"].split(".")[3]
    n, fn = OPS[op]
    if _metadata(instr, n + 1) != "fpexcept.ignore":
        raise Unsupported(f"constrained FP exception behaviour {_metadata(instr, n + 1)}")
    rm, in_env = _mode(ctx, _metadata(instr, n))
    flags = fm_flags(instr.flags, rounds=True)
    ty = instr.type

    def lane(*xs: Lane) -> Lane:
        out = fp_lane(ctx, flags, list(xs), ty, lambda *fs: fn(rm, *fs))
        return Lane(out.v, z3.Or(out.p, z3.Not(in_env)))
    return zip_lanes(lane, *[ctx.op(i) for i in range(n)])


@intrinsic("llvm.experimental.constrained.fptrunc")
def _constrained_fptrunc(ctx, instr):
    if _metadata(instr, 2) != "fpexcept.ignore":
        raise Unsupported(f"constrained FP exception behaviour {_metadata(instr, 2)}")
    rm, in_env = _mode(ctx, _metadata(instr, 1))
    src_ty, to = instr.operands[0].type, sort(instr.type)
    flags = fm_flags(instr.flags, rounds=True)

    def lane(x: Lane) -> Lane:
        out = fp_lane(ctx, flags, [x], src_ty, lambda f: z3.fpToFP(rm, f, to), to_ty=instr.type)
        return Lane(out.v, z3.Or(out.p, z3.Not(in_env)))
    return map_lanes(lane, ctx.op(0))
