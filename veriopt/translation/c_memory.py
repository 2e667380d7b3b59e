"""Memory of one symbolic C run, as a log of guarded writes over the input memory.

Storing into a z3 array and comparing two arrays at the end left the solver
with long chains of symbolic-index stores (tens of seconds for a five-step
loop). Here a load is resolved on the Python side into an if-then-else over
the earlier writes, newest first, ending in a read of the *initial* memory:
the queries only read one array and stay small.

In word mode every access has the size of the element type of the object it
touches, and all parameter buffers share one element size, so an access can
only meet an earlier write of the same size at the same (aligned) address:
writes of another size belong to other, disjoint objects and are skipped.
When parameter buffers of different element sizes may overlap, byte mode
splits every access into bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3


@dataclass
class Write:
    addr: z3.BitVecRef
    size: int
    value: z3.BitVecRef
    guard: z3.BoolRef


@dataclass
class Memory:
    initial: z3.ArrayRef                 # BV64 -> BV8, the caller's memory on entry
    word_mode: bool
    writes: list[Write] = field(default_factory=list)
    # (lo, hi, guard): local array bytes that became uninitialised, in order with writes
    init_events: list[tuple[str, z3.BitVecRef, z3.BitVecRef, z3.BoolRef]] = field(
        default_factory=list)
    initial_reads: int = 0               # reads of `initial` handed out (0: no array in terms)

    def store(self, addr: z3.BitVecRef, size: int, value: z3.BitVecRef, guard: z3.BoolRef) -> None:
        if z3.is_false(guard):
            return
        if self.word_mode or size == 1:
            self.writes.append(Write(addr, size, value, guard))
        else:
            for i in range(size):
                self.writes.append(Write(z3.simplify(addr + i), 1,
                                         z3.Extract(8 * i + 7, 8 * i, value), guard))
        if self.init_events:
            self.init_events.append(("write", addr, z3.simplify(addr + size), guard))

    def load(self, addr: z3.BitVecRef, size: int) -> z3.BitVecRef:
        if self.word_mode or size == 1:
            return z3.simplify(self._load_cell(addr, size))
        parts = [self._load_cell(z3.simplify(addr + i), 1) for i in range(size)]
        return z3.simplify(z3.Concat(list(reversed(parts))))

    def _load_cell(self, addr: z3.BitVecRef, size: int) -> z3.BitVecRef:
        value = self.initial_value(addr, size)
        for w in self.writes:
            if w.size != size:
                continue
            same = z3.simplify(w.addr == addr)
            if z3.is_false(same):
                continue
            value = z3.If(z3.And(w.guard, same), w.value, value)
        return value

    def initial_value(self, addr: z3.BitVecRef, size: int) -> z3.BitVecRef:
        self.initial_reads += 1
        parts = [z3.Select(self.initial, z3.simplify(addr + i)) for i in range(size)]
        return parts[0] if size == 1 else z3.Concat(list(reversed(parts)))

    def mark_uninitialised(self, lo: z3.BitVecRef, hi: z3.BitVecRef, guard: z3.BoolRef) -> None:
        self.init_events.append(("uninit", lo, hi, guard))

    def initialised(self, addr: z3.BitVecRef, size: int) -> z3.BoolRef:
        """Whether all `size` bytes at `addr` hold written values."""
        if not self.init_events:
            return z3.BoolVal(True)
        end = addr + size
        state = z3.BoolVal(True)
        for kind, lo, hi, guard in self.init_events:
            if kind == "uninit":
                overlaps = z3.And(z3.ULT(addr, hi), z3.ULT(lo, end))
                state = z3.If(z3.And(guard, overlaps), z3.BoolVal(False), state)
            else:
                covers = z3.And(z3.ULE(lo, addr), z3.ULE(end, hi))
                state = z3.If(z3.And(guard, covers), z3.BoolVal(True), state)
        return z3.simplify(state)
