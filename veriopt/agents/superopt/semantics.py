"""What a component computes, taken from the verifier's per-opcode registry.

The synthesizer writes no semantics of its own: each component is turned
into the one-instruction `Instr` it stands for and handed to the builder
that `translation/ir_smt` uses to encode real functions, over (value,
poison) lanes. So an expression is checked against the source with exactly
the terms `verify_ir` will use on the emitted IR.
"""
from __future__ import annotations

import z3

from veriopt.agents.superopt.components import (
    ZEXT, Component, Expr, component_of, operands_of,
)
from veriopt.errors import Unsupported
from veriopt.ir.model import Instr, IntConst, LocalRef
from veriopt.ir.types import IntType
from veriopt.translation.ir_smt import int_ops, intrinsics  # noqa: F401 (registration)
from veriopt.translation.ir_smt.registry import OPCODES, lookup_intrinsic
from veriopt.translation.ir_smt.values import Lane, const_lane

F = z3.BoolVal(False)


def component_instr(comp: Component, operand_widths: list[int], width: int) -> Instr:
    """The instruction `comp` stands for, on operands %a0, %a1, ... of the
    given widths; an integer result has `width` bits."""
    operands: list = [LocalRef(f"a{k}", IntType(operand_widths[k])) for k in comp.ir_reads]
    operands += [IntConst(IntType(1), imm) for imm in comp.immediates]
    result = IntType(1) if comp.opcode == "icmp" else IntType(width)
    extra = {"callee": f"{comp.callee}.i{width}"} if comp.callee else {}
    return Instr("so", comp.opcode, result, operands, predicate=comp.predicate, extra=extra)


class _Operands:
    """The builder's view of its surroundings (`FunctionEncoder`'s interface):
    operands are given lanes; UB is collected; nothing else is allowed."""

    little_endian = True

    def __init__(self, instr: Instr, lanes: list[Lane]):
        self.instr = instr
        self.lanes = lanes
        self.ub: list[z3.BoolRef] = []

    def op(self, i: int, undef_as_nondet: bool = False) -> Lane:
        return self.lanes[i]

    def add_ub(self, cond: z3.BoolRef, guardable: bool = False) -> None:
        self.ub.append(cond)

    def fresh_nondet(self, width: int, why: str):
        raise Unsupported(f"a component that chooses a value ({why})")

    def stop_path(self) -> None:
        raise Unsupported("a component that stops the program")


def apply(comp: Component, args: list[Lane], width: int) -> Lane:
    """The registry's lane for `comp` on `args`. Immediate UB, were a
    component to have any, is folded into the poison bit: the search
    rejects both alike, and verify_ir judges the emitted IR properly."""
    instr = component_instr(comp, [a.v.size() for a in args], width)
    builder = lookup_intrinsic(instr.extra["callee"]) if comp.callee else OPCODES[comp.opcode]
    ir_lanes = [args[k] for k in comp.ir_reads]
    ir_lanes += [const_lane(1, imm) for imm in comp.immediates]
    ctx = _Operands(instr, ir_lanes)
    lane = builder(ctx, instr)
    if not isinstance(lane, Lane):
        raise Unsupported(f"component {comp.name} does not give one integer")
    return Lane(lane.v, z3.Or(lane.p, *ctx.ub)) if ctx.ub else lane


def smt_expr(e: Expr, env: dict[str, z3.BitVecRef], w: int,
             consts: dict[str, int] | None = None) -> Lane:
    """The lane of an expression over argument variables `env`; a hole
    reads `consts` when it is given a value there, else its variable in
    `env`. Booleans are 1-bit lanes, as in the verifier."""
    kind = e[0]
    if kind == "arg":
        return Lane(env[e[1]], F)
    if kind == "zextarg":
        return apply(ZEXT, [Lane(env[e[1]], F)], w)
    if kind == "const":
        return const_lane(e[2], e[1])
    if kind == "hole":
        value = consts[e[1]] if consts is not None and e[1] in consts else env[e[1]]
        return const_lane(w, value) if isinstance(value, int) else Lane(value, F)
    args = [smt_expr(x, env, w, consts) for x in operands_of(e)]
    return apply(component_of(e), args, w)
