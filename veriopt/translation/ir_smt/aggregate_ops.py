"""Vector and aggregate instructions: extract/insert element, shufflevector,
extract/insert value. An out-of-range or poison lane index gives poison
(for insertelement: a poison vector), as LangRef says.
"""
from __future__ import annotations

import z3

from veriopt.ir.model import IntConst, PoisonConst, UndefConst
from veriopt.ir.types import VectorType
from veriopt.translation.ir_smt.registry import opcode
from veriopt.translation.ir_smt.values import Lane, ite, map_lanes, poison_lane

T = z3.BoolVal(True)


def _index_select(elems, idx: Lane):
    """elems[idx] for a symbolic idx; poison when idx is out of range."""
    w = idx.v.size()
    first = elems[0]
    result = map_lanes(lambda lane: Lane(lane.v, T), first)
    for k in range(len(elems) - 1, -1, -1):
        if k >= (1 << w):
            continue
        result = ite(idx.v == z3.BitVecVal(k, w), elems[k], result)
    return map_lanes(lambda lane: Lane(lane.v, z3.Or(lane.p, idx.p)), result)


@opcode("extractelement")
def _extractelement(ctx, instr):
    vec, idx = ctx.op(0), ctx.op(1)
    return _index_select(list(vec), idx)


@opcode("insertelement")
def _insertelement(ctx, instr):
    vec, elem, idx = ctx.op(0), ctx.op(1), ctx.op(2)
    w = idx.v.size()
    in_range = z3.ULT(idx.v, z3.BitVecVal(len(vec), w)) if len(vec) < (1 << w) else T
    bad = z3.Or(idx.p, z3.Not(in_range))
    out = []
    for k, old in enumerate(vec):
        hit = idx.v == z3.BitVecVal(k, w) if k < (1 << w) else z3.BoolVal(False)
        lane = ite(hit, elem, old)
        out.append(map_lanes(lambda x: Lane(x.v, z3.Or(x.p, bad)), lane))
    return tuple(out)


@opcode("shufflevector")
def _shufflevector(ctx, instr):
    """The mask is a constant; an undef or poison mask lane yields poison.

    Each result lane reads its operand anew, as alive-tv does: a lane built
    from undef may differ from another lane copied from the same element
    (Alive2's own test shufflevec-undef proves a splat shuffle equal to two
    insertelements of an undef scalar)."""
    mask = instr.operands[2]
    n = mask.type.count if isinstance(mask.type, VectorType) else 1
    if hasattr(mask, "elems"):
        mask_elems = list(mask.elems)
    elif isinstance(mask, (PoisonConst, UndefConst)):
        mask_elems = [mask] * n
    else:  # zeroinitializer
        mask_elems = [IntConst(mask.type.scalar(), 0)] * n
    count = instr.operands[0].type.count
    width = instr.type.scalar().width
    out = []
    for m in mask_elems:
        if isinstance(m, IntConst):
            source = ctx.op(0) if m.value < count else ctx.op(1)
            out.append(source[m.value % count])
        else:
            out.append(poison_lane(width))
    return tuple(out)


@opcode("extractvalue")
def _extractvalue(ctx, instr):
    val = ctx.op(0)
    for k in instr.extra["indices"]:
        val = val[k]
    return val


@opcode("insertvalue")
def _insertvalue(ctx, instr):
    agg, elem = ctx.op(0), ctx.op(1)

    def put(container, path):
        if not path:
            return elem
        k = path[0]
        items = list(container)
        items[k] = put(items[k], path[1:])
        return tuple(items)
    return put(agg, instr.extra["indices"])
