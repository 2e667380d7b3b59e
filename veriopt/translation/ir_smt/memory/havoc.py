"""What a call that may write leaves in one side's memory (calls/): after
it, every byte of the region it may write is the call's — an unknown the
call table makes per address — and blocks it may free are dead. A `Havoc`
sits in the side's write log like a store, so reads after it see it and
reads before it do not.

A region is a predicate on block ids: the caller's blocks (and the local
blocks that escaped to calls), or only the blocks the pointer arguments
point to (`argmem`); besides, each callee has its own inaccessible memory
(`inaccessiblemem`), named after it, that only its calls read and write.

Two memory states (a call's inputs) are compared without quantifiers: in
the region, each block was last written by the same call on both sides,
and every address stored to in either agrees (elsewhere both hold that
call's bytes, or the initial ones).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from veriopt.translation.ir_smt.memory.pointers import is_local, local_bid, nonlocal_bid

ENTRY_BITS = 16
NO_ENTRY = (1 << ENTRY_BITS) - 1    # no call has written yet
F = z3.BoolVal(False)
Region = Callable[[z3.BitVecRef], z3.BoolRef]


def nothing(bid: z3.BitVecRef) -> z3.BoolRef:
    return F


@dataclass
class Havoc:
    guard: z3.BoolRef                 # the call ran and returned
    entry: z3.BitVecRef               # which source call's outputs (ENTRY_BITS)
    covers: Region                    # the blocks it may have written
    byte: Callable[[z3.BitVecRef, z3.BitVecRef], z3.BitVecRef]   # (block, offset) -> byte
    freed: Callable[[int], z3.BoolRef]   # non-local block i -> freed by the call
    private: str | None = None        # whose inaccessible memory it may have written


def havocs(memory, upto: int | None = None) -> list[Havoc]:
    return [w for w in memory.writes[:upto] if isinstance(w, Havoc)]


def not_freed(memory, block: int) -> z3.BoolRef:
    """Non-local block `block` was not freed by a call so far."""
    freed = [z3.And(h.guard, h.freed(block)) for h in havocs(memory)]
    return z3.Not(z3.Or(freed)) if freed else z3.BoolVal(True)


def last_entry(memory, upto: int | None, bid: z3.BitVecRef | None = None,
               private: str | None = None) -> z3.BitVecRef:
    """The source call whose bytes block `bid` (or the inaccessible memory
    of `private`) holds at `upto`; NO_ENTRY if no call wrote it."""
    entry = z3.BitVecVal(NO_ENTRY, ENTRY_BITS)
    for h in havocs(memory, upto):
        if private is not None:
            if h.private == private:
                entry = z3.If(h.guard, h.entry, entry)
        else:
            wrote = z3.simplify(z3.And(h.guard, h.covers(bid)))
            if not z3.is_false(wrote):
                entry = z3.If(wrote, h.entry, entry)
    return entry


def same_memory(a, upto_a: int, b, upto_b: int, region: Region, private: str | None,
                related: Callable[[z3.BitVecRef, z3.BitVecRef], z3.BoolRef]) -> z3.BoolRef:
    """Every byte of `region` in `a` (its first `upto_a` log entries) is
    `related` to the same byte in `b`, and the inaccessible memory of
    `private` is the same. A local block id names each side's own block of
    that index (calls/encode.py matches escaped locals by index)."""
    conds = []
    if private is not None:
        conds.append(last_entry(a, upto_a, private=private) == last_entry(b, upto_b, private=private))
    blocks = [nonlocal_bid(i) for i in range(len(a.shared.blocks))]
    blocks += [local_bid(i) for i in range(max(len(a.locals), len(b.locals)))]
    for bid in blocks:
        inside = z3.simplify(region(bid))
        if not z3.is_false(inside):
            conds.append(z3.Implies(inside, last_entry(a, upto_a, bid) == last_entry(b, upto_b, bid)))
    stores = [w for w in a.writes[:upto_a] + b.writes[:upto_b] if not isinstance(w, Havoc)]
    seen: list[tuple] = []
    for w in stores:
        inside = z3.simplify(region(w.bid))
        if z3.is_false(inside) or any(z3.eq(w.bid, s) and z3.eq(w.off, o) for s, o in seen):
            continue
        seen.append((w.bid, w.off))
        conds.append(z3.Implies(inside, related(a.read_byte(w.bid, w.off, upto_a),
                                                b.read_byte(w.bid, w.off, upto_b))))
    return z3.And(conds) if conds else z3.BoolVal(True)


def visible(escaped: list[int]) -> Region:
    """The caller's blocks and the local blocks `escaped` to calls."""
    def region(bid: z3.BitVecRef) -> z3.BoolRef:
        return z3.Or([z3.Not(is_local(bid))] + [bid == local_bid(i) for i in escaped])
    return region
