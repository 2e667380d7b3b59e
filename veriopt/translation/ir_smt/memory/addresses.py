"""Integer addresses of pointers (`ptrtoint`, comparisons by address).

A non-local block's address is a shared input (`NonLocal.address`: null's
is 0, the others non-zero, aligned, not wrapping, disjoint from each
other). A local block's address is made when first observed: as Alive2,
in the upper half of the address space, aligned to the alloca's alignment,
not wrapping, disjoint from the side's other observed locals.

Which values may a local's address take, and who chooses it? The target's
are its own choice (any layout: they are inputs of the query, constrained
only by the target's facts). Alive2 lets the source choose its own
(alive-tv: returning the address of an alloca refines to a constant); here
the source's k-th alloca shares the address of the target's k-th alloca
when both have the same constant size and alignment (one variable, named
by both; a variable-size alloca has its own),
which covers the common case (the same allocas on both sides) and only
restricts the source, so it can cost a false alarm, never a wrong proof.
Where the source compares pointers within two of its locals, it picks a
layout where they are not adjacent (they differ: alive-tv); that choice and
an observation of a local's address (`ptrtoint`, a comparison outside the
bounds) could contradict each other, so a source doing both is refused
(`check_source`).

Locals are not made disjoint from non-local blocks: an argument of Alive2
may be an integer cast to a pointer, whose address is anything, and an
argument here is always some block; allowing the overlap keeps the
arguments' addresses as free as Alive2's.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.memory.pointers import (
    OFF_BITS,
    bid_of,
    is_local,
    local_bid,
    off_of,
)

HIGH = z3.BitVecVal(1 << (OFF_BITS - 1), OFF_BITS)


def may(ctx, cond: z3.BoolRef) -> bool:
    """Can `cond` hold where this instruction runs (under the memory
    model's preconditions)? Unknown counts as yes."""
    cond = z3.simplify(cond)
    if z3.is_false(cond):
        return False
    if z3.is_true(cond):
        return True
    check = z3.Solver()
    check.set("timeout", 5000)
    check.add(ctx.inputs.memory.precondition(), ctx.reach, cond, *constraints(ctx.memory))
    return check.check() != z3.unsat


def local_base(mem, index: int) -> z3.BitVecRef:
    """The address of local block `index` of this side (made on first use)."""
    if index not in mem.local_bases:
        blk = mem.locals[index]
        shape = f"{blk.size}:{blk.align}" if isinstance(blk.size, int) else f"{mem.side}:vla"
        var = z3.BitVec(f"local:addr:{index}:{shape}", OFF_BITS)
        mem.local_bases[index] = var
        if not any(v.eq(var) for v in mem.shared.vars):
            mem.shared.vars.append(var)
    return mem.local_bases[index]


def address(mem, ptr: z3.BitVecRef, observed: bool = False) -> z3.BitVecRef:
    """The integer address of `ptr` (a pointer lane of this side);
    `observed` when the program sees it (`ptrtoint`, not a comparison,
    which records that itself)."""
    bid = z3.simplify(bid_of(ptr))
    local = z3.simplify(is_local(bid))
    if observed and mem.locals and not z3.is_false(local):
        mem.local_addresses_seen = True
    nonlocal_addr = None if z3.is_true(local) else mem.shared.address(ptr)
    if z3.is_false(local):
        return nonlocal_addr
    base = z3.BitVecVal(0, OFF_BITS)
    for i in range(len(mem.locals)):
        if not (z3.is_bv_value(bid) and bid.as_long() != local_bid(i).as_long()):
            base = z3.If(bid == local_bid(i), local_base(mem, i), base)
    local_addr = base + off_of(ptr)
    return local_addr if nonlocal_addr is None else z3.If(local, local_addr, nonlocal_addr)


def constraints(mem) -> list[z3.BoolRef]:
    """Where this side's observed locals may lie."""
    out = []
    placed = sorted(mem.local_bases.items())
    for k, (i, base) in enumerate(placed):
        blk = mem.locals[i]
        end = base + blk.size
        out += [z3.UGE(base, HIGH), z3.ULE(base, end)]
        if blk.align > 1:
            out.append(base & (blk.align - 1) == 0)
        for j, other in placed[:k]:
            out.append(z3.Or(z3.ULE(end, other), z3.ULE(other + mem.locals[j].size, base)))
    return out


def check_source(mem) -> None:
    """Refuse a source that both kept two locals apart and observed a
    local's address (see the module's docstring)."""
    if mem.locals_kept_apart and mem.local_addresses_seen:
        raise Unsupported("a source that compares its allocas and observes their addresses")
