"""Operand bundles of `llvm.assume` (LangRef, "Assume Operand Bundles"):
each states a fact about pointers or values; where it does not hold (or an
operand is poison) the behaviour is undefined, like `assume(false)`."""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import IntConst, Value
from veriopt.translation.ir_smt.memory.pointers import bid_of, off_of
from veriopt.translation.ir_smt.values import Lane, lanes

IGNORED = {"cold", "ignore"}


def bundles_ub(ctx, bundles: list[tuple[str, list[Value]]]) -> None:
    for tag, values in bundles:
        if tag in IGNORED:
            continue
        vals = [ctx.use(v) for v in values]
        if tag == "noundef":
            ctx.add_ub(z3.Or([lane.p for val in vals for lane in lanes(val)]
                             + [ctx.undef_dependence(v) for v in values]))
            continue
        if not values or not isinstance(vals[0], Lane) or not str(values[0].type).startswith("ptr"):
            raise Unsupported(f'assume bundle "{tag}"')
        ptr = vals[0]
        if tag == "nonnull" and len(values) == 1:
            ctx.add_ub(z3.Or(ptr.p, ptr.v == 0))
        elif tag == "align" and len(values) in (2, 3):
            align = _constant(values[1], tag)
            offset = _constant(values[2], tag) if len(values) == 3 else 0
            if align <= 0 or align & (align - 1) or offset < 0:
                raise Unsupported(f'assume bundle "align" by {align} at offset {offset}')
            # the address minus the offset is aligned (null's block is at 0)
            delta = off_of(ptr.v) - z3.BitVecVal(offset, 64)
            bid = bid_of(ptr.v)
            aligned = z3.And(z3.URem(delta, z3.BitVecVal(align, 64)) == 0,
                             z3.Or(bid == 0, ctx.memory.block_aligned(bid, align))) \
                if align > 1 else z3.BoolVal(True)
            ctx.add_ub(z3.Or(ptr.p, z3.Not(aligned)))
        elif tag in ("dereferenceable", "dereferenceable_or_null") and len(values) == 2:
            n = _constant(values[1], tag)
            ok = ctx.memory.accessible(ptr.v, n, 1) if n else z3.BoolVal(True)
            if tag == "dereferenceable_or_null":
                ok = z3.Or(ok, ptr.v == 0)
            ctx.add_ub(z3.Or(ptr.p, z3.Not(ok)))
        else:
            raise Unsupported(f'assume bundle "{tag}"')


def _constant(value: Value, tag: str) -> int:
    if not isinstance(value, IntConst):
        raise Unsupported(f'assume bundle "{tag}" with a variable operand')
    return value.value % (1 << value.type.width)
