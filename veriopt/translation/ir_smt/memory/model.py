"""Blocks and bytes: the non-local blocks both sides share (`NonLocal`:
null and one block per pointer argument, their sizes, alignments,
liveness and initial bytes) and one side's memory (`Memory`: its allocas
and its write log).

The write log holds `(guard, block, offset, byte)` in encoding order; the
guard is the reachability of the store. Blocks are encoded in topological
order, and a block that is no ancestor of a reading point never runs in the
same execution, so one log serves every program point (no merge at joins).
Initial non-local bytes are fresh variables per read, made equal for equal
addresses (Ackermann's reduction): everything stays bit-vectors.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.memory import byte as byte_rep
from veriopt.translation.ir_smt.memory.globals import global_layout
from veriopt.translation.ir_smt.memory.havoc import Havoc, not_freed
from veriopt.translation.ir_smt.memory.layout import (
    BYTE_BITS,
    POISON_BYTE,
    DataLayout,
)
from veriopt.translation.ir_smt.memory.pointers import (
    BID_BITS,
    LOCAL_BIT,
    MAX_LOCAL_BLOCKS,
    OFF_BITS,
    PTR_BITS,
    bid_of,
    is_local,
    local_bid,
    make_ptr,
    nonlocal_bid,
    off_of,
)

F, T = z3.BoolVal(False), z3.BoolVal(True)
MAX_ALIGN_LOG = 32


def _bv(value: int, bits: int = OFF_BITS) -> z3.BitVecRef:
    return z3.BitVecVal(value, bits)


@dataclass
class NonLocalBlock:
    size: z3.BitVecRef       # bytes
    align_log: z3.BitVecRef  # the block is aligned to 2^align_log
    alive: z3.BoolRef
    writable: z3.BoolRef     # the caller's memory may be read-only (alive-tv: a store
                             # the source does not make can be UB in the target)


@dataclass
class InitRead:
    bid: z3.BitVecRef
    off: z3.BitVecRef
    var: z3.BitVecRef


@dataclass
class NonLocal:
    """What source and target share: the caller's blocks and their bytes
    before the call. `pre` constrains the shared inputs (sizes, where the
    arguments point); `reads` are the initial bytes read so far."""

    blocks: list[NonLocalBlock] = field(default_factory=list)
    pre: list[z3.BoolRef] = field(default_factory=list)
    reads: list[InitRead] = field(default_factory=list)
    vars: list[z3.ExprRef] = field(default_factory=list)
    sides: dict[str, Memory] = field(default_factory=dict)   # "src"/"tgt": its memory
    no_poison: bool = False   # initial bytes are never poison (--disable-poison-input)
    global_bids: dict[str, int] = field(default_factory=dict)     # @g -> its block
    known: dict[int, list[z3.BitVecRef]] = field(default_factory=dict)  # constants' bytes
    bases: list[z3.BitVecRef] = field(default_factory=list)   # addresses, when compared
    loaded_blocks: int = 0    # blocks only pointers loaded from memory point to (reserved)
    asm_side: str | None = None  # "tgt" with --tgt-is-asm (verify/asm_mode.py)
    pointer_bytes: bool = True   # the caller's bytes may be pointers (Alive2: only if some
                                 # load or store of either side has a pointer type)
    pointer_loads: int = 0    # pointer lanes loaded so far, both sides

    @classmethod
    def make(cls, count: int, no_poison: bool = False, global_vars: dict | None = None,
             dl: DataLayout | None = None, little_endian: bool = True) -> NonLocal:
        """Null, the module's globals, and `count` blocks for the pointer
        arguments."""
        shared = cls(no_poison=no_poison)
        shared._add_blocks(range(1))   # block 0 is null: a block only for null_pointer_is_valid
        for name in sorted(global_vars or {}):
            var = global_vars[name]   # type: ignore[index]
            size, align, data = global_layout(var, dl or DataLayout(), little_endian)
            bid = len(shared.blocks)
            shared.global_bids[name] = bid
            shared.blocks.append(NonLocalBlock(_bv(size), _bv(align.bit_length() - 1, 8), T,
                                               F if var.constant else T))
            if data is not None:
                shared.known[bid] = data
        first = len(shared.blocks)
        shared._add_blocks(range(first, first + count))
        if len(shared.blocks) > LOCAL_BIT:
            raise Unsupported(f"more than {LOCAL_BIT} non-local blocks")
        return shared

    def address(self, ptr: z3.BitVecRef) -> z3.BitVecRef:
        """The integer address of a pointer into a non-local block: the
        block's base (shared, aligned, disjoint from the others, null's is 0)
        plus the offset. Made on first use."""
        if not self.bases:
            self.bases = [_bv(0)] + [z3.BitVec(f"nl:addr:{i}", OFF_BITS)
                                     for i in range(1, len(self.blocks))]
            self.vars += self.bases[1:]
            ends = [base + blk.size for base, blk in zip(self.bases, self.blocks)]
            for i in range(1, len(self.blocks)):
                blk, base = self.blocks[i], self.bases[i]
                mask = (_bv(1) << z3.ZeroExt(OFF_BITS - 8, blk.align_log)) - 1
                self.pre += [base != 0, base & mask == 0, z3.ULE(base, ends[i])]
                self.pre += [z3.Or(z3.ULE(ends[i], self.bases[j]), z3.ULE(ends[j], base))
                             for j in range(1, i)]
        bid = bid_of(ptr)
        base = self.bases[0]
        for i in range(1, len(self.blocks)):
            base = z3.If(bid == nonlocal_bid(i), self.bases[i], base)
        return base + off_of(ptr)

    def add_loaded_blocks(self, count: int) -> None:
        """`count` more blocks, for the pointers the caller's memory holds
        (Alive2 reserves one per load): a loaded pointer may point to a
        block no argument or global does. Before any byte is read."""
        assert not self.reads and not self.bases
        first = len(self.blocks)
        self._add_blocks(range(first, first + count))
        self.loaded_blocks += count
        if len(self.blocks) > LOCAL_BIT:
            raise Unsupported(f"more than {LOCAL_BIT} non-local blocks")

    def reserve_blocks(self, count: int) -> None:
        """`count` more blocks (for pointers calls return: calls/), before
        any byte is read or any address taken."""
        assert not self.reads and not self.bases
        self._add_blocks(range(len(self.blocks), len(self.blocks) + count))
        if len(self.blocks) > LOCAL_BIT:
            raise Unsupported(f"more than {LOCAL_BIT} non-local blocks")

    def _add_blocks(self, indices) -> None:
        shared = self
        for i in indices:
            size = z3.BitVec(f"nl:size:{i}", OFF_BITS)
            align = z3.BitVec(f"nl:alignlog:{i}", 8)
            alive = z3.Bool(f"nl:alive:{i}")
            writable = z3.Bool(f"nl:writable:{i}")
            shared.blocks.append(NonLocalBlock(size, align, alive, writable))
            shared.vars += [size, align, alive, writable]
            shared.pre += [z3.ULT(size, _bv(1 << 62)), z3.ULE(align, _bv(MAX_ALIGN_LOG, 8))]

    def pointer_input(self, name: str) -> z3.BitVecRef:
        """An argument's pointer: into some non-local block (any: arguments
        may alias), within [0, size] of it (null is block 0, offset 0)."""
        ptr = z3.BitVec(f"in:{name}", PTR_BITS)
        bid, off = bid_of(ptr), off_of(ptr)
        self.pre.append(z3.ULT(bid, _bv(len(self.blocks), BID_BITS)))
        self.pre.append(z3.Or([z3.And(bid == nonlocal_bid(i), z3.ULE(off, b.size) if i else off == 0)
                               for i, b in enumerate(self.blocks)]))
        return ptr

    def initial_byte(self, bid: z3.BitVecRef, off: z3.BitVecRef) -> z3.BitVecRef:
        """A byte before the call: a constant global's own, else unknown."""
        known = [(b, data) for b, data in self.known.items() if _may_equal(bid, nonlocal_bid(b))]
        if len(known) == 1 and z3.is_bv_value(bid):
            return _table(known[0][1], off)
        value = self._unknown_byte(bid, off)
        for b, data in known:
            value = z3.If(bid == nonlocal_bid(b), _table(data, off), value)
        return value

    def _unknown_byte(self, bid: z3.BitVecRef, off: z3.BitVecRef) -> z3.BitVecRef:
        for read in self.reads:
            if z3.eq(read.bid, bid) and z3.eq(read.off, off):
                return read.var
        var = z3.BitVec(f"nl:byte:{len(self.reads)}", BYTE_BITS)
        self.pre.append(byte_rep.well_formed(var, len(self.blocks) if self.pointer_bytes else 0))
        if self.no_poison:
            self.pre.append(byte_rep.no_poison(var))
        for read in self.reads:
            self.pre.append(z3.Implies(z3.And(read.bid == bid, read.off == off), read.var == var))
        self.reads.append(InitRead(bid, off, var))
        return var

    def precondition(self) -> z3.BoolRef:
        return z3.And(self.pre) if self.pre else T

    def all_vars(self) -> list[z3.ExprRef]:
        return self.vars + [r.var for r in self.reads]


def _table(data: list[z3.BitVecRef], off: z3.BitVecRef) -> z3.BitVecRef:
    """data[off] (out of bounds reads are UB, so any byte will do there)."""
    if z3.is_bv_value(off):
        k = off.as_long()
        return data[k] if k < len(data) else POISON_BYTE
    value = POISON_BYTE
    for k in reversed(range(len(data))):
        value = z3.If(off == k, data[k], value)
    return value


@dataclass
class LocalBlock:
    size: int | z3.BitVecRef   # bytes (a term for a variable-size alloca)
    align: int
    alive: z3.BoolRef   # the alloca executed


def _local_size(block: LocalBlock) -> z3.BitVecRef:
    return block.size if isinstance(block.size, z3.BitVecRef) else _bv(block.size)


@dataclass
class Write:
    guard: z3.BoolRef
    bid: z3.BitVecRef
    off: z3.BitVecRef
    byte: z3.BitVecRef


def _may_equal(a: z3.BitVecRef, b: z3.BitVecRef) -> bool:
    return not (z3.is_bv_value(a) and z3.is_bv_value(b) and a.as_long() != b.as_long())


class Memory:
    """One side's memory: its local blocks and its write log."""

    def __init__(self, shared: NonLocal, side: str):
        self.shared = shared
        self.side = side
        shared.sides[side] = self
        self.null_valid = False   # the function has null_pointer_is_valid (set by builders)
        self.locals: list[LocalBlock] = []
        self.writes: list[Write | Havoc] = []
        self.local_bases: dict[int, z3.BitVecRef] = {}   # addresses, when observed (addresses.py)
        self.local_ptr_bytes = False   # a pointer to a local block may have been stored
        self.locals_kept_apart = False     # (addresses.py) compared two locals as different
        self.local_addresses_seen = False  # (addresses.py) saw a local's address

    def alloca(self, size: int | z3.BitVecRef, align: int, guard: z3.BoolRef) -> z3.BitVecRef:
        if len(self.locals) >= MAX_LOCAL_BLOCKS:
            raise Unsupported(f"more than {MAX_LOCAL_BLOCKS} allocas")
        self.locals.append(LocalBlock(size, align, guard))
        return make_ptr(local_bid(len(self.locals) - 1), _bv(0))

    # ---- validity of an access ----
    def accessible(self, ptr: z3.BitVecRef, nbytes: int, align: int,
                   write: bool = False) -> z3.BoolRef:
        """The access of `nbytes` at `ptr` with alignment `align` is
        defined: a live block, in bounds, aligned (offset and block), and
        writable for a store."""
        bid, off = z3.simplify(bid_of(ptr)), z3.simplify(off_of(ptr))
        n = _bv(nbytes)
        aligned_off = (z3.URem(off, _bv(align)) == 0) if align > 1 else T
        cases = []
        for i, block in enumerate(self.locals):
            if block.align < align or not _may_equal(bid, local_bid(i)):
                continue
            inb = z3.And(z3.ULE(n, _local_size(block)), z3.ULE(off, _local_size(block) - n))
            cases.append(z3.And(bid == local_bid(i), block.alive, inb))
        log_align = align.bit_length() - 1
        for i, block in enumerate(self.shared.blocks):
            if (i == 0 and not self.null_valid) or not _may_equal(bid, nonlocal_bid(i)):
                continue
            inb = z3.And(z3.ULE(n, block.size), z3.ULE(off, block.size - n))
            cases.append(z3.And(bid == nonlocal_bid(i), block.alive, not_freed(self, i), inb,
                                z3.UGE(block.align_log, _bv(log_align, 8)),
                                block.writable if write else T))
        if not cases:
            return F
        return z3.And(aligned_off, z3.Or(cases))

    def block_aligned(self, bid: z3.BitVecRef, align: int) -> z3.BoolRef:
        """The block `bid` is aligned to at least `align` bytes."""
        bid = z3.simplify(bid)
        cases = [bid == local_bid(i) for i, block in enumerate(self.locals)
                 if block.align >= align and _may_equal(bid, local_bid(i))]
        log_align = _bv(align.bit_length() - 1, 8)
        cases += [z3.And(bid == nonlocal_bid(i), z3.UGE(block.align_log, log_align))
                  for i, block in enumerate(self.shared.blocks)
                  if (i > 0 or self.null_valid) and _may_equal(bid, nonlocal_bid(i))]
        return z3.Or(cases) if cases else F

    def in_bounds(self, ptr: z3.BitVecRef) -> z3.BoolRef:
        """0 <= offset <= size of the pointer's block (what `inbounds` asks)."""
        bid, off = z3.simplify(bid_of(ptr)), z3.simplify(off_of(ptr))
        cases = []
        for i, block in enumerate(self.locals):
            if _may_equal(bid, local_bid(i)):
                cases.append(z3.And(bid == local_bid(i), z3.ULE(off, _local_size(block))))
        for i, nl in enumerate(self.shared.blocks):
            if _may_equal(bid, nonlocal_bid(i)):
                size = nl.size if i > 0 or self.null_valid else _bv(0)
                cases.append(z3.And(bid == nonlocal_bid(i), z3.ULE(off, size)))
        return z3.Or(cases) if cases else F

    # ---- bytes ----
    def read(self, ptr: z3.BitVecRef, nbytes: int, upto: int | None = None) -> list[z3.BitVecRef]:
        bid, off = z3.simplify(bid_of(ptr)), z3.simplify(off_of(ptr))
        return [self.read_byte(bid, z3.simplify(off + i), upto) for i in range(nbytes)]

    def read_byte(self, bid: z3.BitVecRef, off: z3.BitVecRef,
                  upto: int | None = None) -> z3.BitVecRef:
        """The byte at (bid, off) after the first `upto` writes (all by default)."""
        local = z3.simplify(is_local(bid))
        fresh = self._fresh()
        if z3.is_true(local):
            value = fresh      # a fresh alloca's bytes are poison
        elif z3.is_false(local):
            value = self._initial(bid, off)
        else:
            value = z3.If(local, fresh, self._initial(bid, off))
        for w in self.writes[:upto]:
            if isinstance(w, Havoc):   # a call that may write (memory/havoc.py)
                covered = z3.simplify(z3.And(w.guard, w.covers(bid)))
                if not z3.is_false(covered):
                    value = z3.If(covered, w.byte(bid, off), value)
                continue
            if not (_may_equal(w.bid, bid) and _may_equal(w.off, off)):
                continue
            value = z3.If(z3.And(w.guard, w.bid == bid, w.off == off), w.byte, value)
        return value

    def _fresh(self) -> z3.BitVecRef:
        """A fresh alloca's byte: poison; 0 in the asm target (Alive2's
        poison byte is 0 with its poison bits, which asm ignores)."""
        return z3.BitVecVal(0, BYTE_BITS) if self.shared.asm_side == self.side else POISON_BYTE

    def _initial(self, bid: z3.BitVecRef, off: z3.BitVecRef) -> z3.BitVecRef:
        """The caller's byte as this side reads it: the asm target
        (--tgt-is-asm) reads no poison in memory (Alive2's asm `Byte`)."""
        byte = self.shared.initial_byte(bid, off)
        return byte_rep.without_poison(byte) if self.shared.asm_side == self.side else byte

    def write(self, guard: z3.BoolRef, ptr: z3.BitVecRef, data: list[z3.BitVecRef]) -> None:
        bid, off = z3.simplify(bid_of(ptr)), z3.simplify(off_of(ptr))
        for i, byte in enumerate(data):
            self.writes.append(Write(guard, bid, z3.simplify(off + i), byte))
