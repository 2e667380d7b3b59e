"""A `call` instruction: an intrinsic from the registry (with the call
site's attributes), a trap, or a declared function (calls/)."""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Attrs, Function, Instr
from veriopt.ir.types import Type
from veriopt.translation.ir_smt.attributes import BENIGN_VALUE_ATTRS, apply_range, require_modelled_types
from veriopt.translation.ir_smt.registry import lookup_intrinsic
from veriopt.translation.ir_smt.values import SVal, lanes

TRAPS = ("llvm.trap", "llvm.ubsantrap")


def call(ctx, instr: Instr) -> SVal | None:
    callee = instr.extra["callee"]
    if instr.extra.get("bundles") and callee != "llvm.assume":
        raise Unsupported(f"operand bundles on call to @{callee}")
    if callee in TRAPS:
        return trap(ctx, instr)
    if not callee.startswith("llvm."):   # a declared function: calls/
        require_modelled_types(instr, f"call to @{callee}")
        from veriopt.translation.ir_smt.calls.encode import encode_call
        return encode_call(ctx, instr)
    builder = lookup_intrinsic(callee)
    if builder is None:
        raise Unsupported(f"call to @{callee}")
    require_modelled_types(instr, f"call to @{callee}")
    for attrs in instr.extra["arg_attrs"] + [instr.extra["ret_attrs"]]:
        for attr in attrs.other:
            if attr not in BENIGN_VALUE_ATTRS and not memory_ops().handles_call_attr(callee, attr):
                raise Unsupported(f"attribute {attr} on a call to @{callee}")
    for operand, attrs in zip(instr.operands, instr.extra["arg_attrs"]):
        if attrs.noundef:
            ctx._noundef_ub(operand)
    if any(attrs.nofpclass for attrs in instr.extra["arg_attrs"]):
        raise Unsupported(f"attribute nofpclass on an argument of a call to @{callee}")
    val = builder(ctx, instr)
    ret_attrs: Attrs = instr.extra["ret_attrs"]
    if val is not None:
        val = apply_range(val, ret_attrs)
        val = nofpclass(val, ret_attrs.nofpclass, instr.type)
        if ret_attrs.noundef and instr.name is None:
            ctx.add_ub(z3.Or([lane.p for lane in lanes(val)]))
    return val


def trap(ctx, instr: Instr) -> None:
    """The program stops: not UB, but not any other way of not returning
    either (alive-tv: a trap is not a `noreturn` call): a target's trap is
    UB unless the source has the same trap (Alive2 calls both the same
    unknown function)."""
    if ctx.side == "tgt":
        if ctx.inputs.source_traps is None:
            raise Unsupported("a trap in a target verified without its source")
        if _trap_key(instr) not in ctx.inputs.source_traps:
            ctx.add_ub(z3.BoolVal(True))
    ctx.stop_path()


def trap_keys(fn: Function) -> frozenset[str]:
    """The traps `fn` has (for `Inputs.source_traps`)."""
    return frozenset(_trap_key(i) for i in fn.instructions()
                     if i.opcode == "call" and i.extra.get("callee") in TRAPS)


def _trap_key(instr: Instr) -> str:
    return f"{instr.extra['callee']}{[str(o) for o in instr.operands]}"


def nofpclass(val: SVal, mask: int, ty: Type) -> SVal:
    """`nofpclass(...)` (only a floating-point value has one)."""
    if not mask:
        return val
    from veriopt.translation.ir_smt.fp_flags import apply_nofpclass
    return apply_nofpclass(val, mask, ty)


def memory_ops():
    """The memory model's hooks, imported (and its builders registered)
    the first time a function that touches memory is encoded."""
    from veriopt.translation.ir_smt.memory import hooks
    return hooks
