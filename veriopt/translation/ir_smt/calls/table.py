"""The table of the unknown functions both sides call (Alive2's
`fn_call_data`). Each source call adds a row: its inputs (arguments, and
the memory state when the callee may read) and its outputs, all unknowns
shared by both sides: the result, whether the callee is UB, whether it
returns, the bytes it leaves and the blocks it frees. Two source calls of
one function with equal inputs have equal outputs (the callee is a
function). A target call takes the outputs of a source call whose inputs
its own refine; when there is none it is UB (it does something the source
never asked for).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from veriopt.translation.ir_smt.calls.effects import Effects
from veriopt.translation.ir_smt.memory import byte as byte_rep
from veriopt.translation.ir_smt.memory.havoc import ENTRY_BITS, Region, nothing, same_memory
from veriopt.translation.ir_smt.memory.pointers import bid_of, local_bid
from veriopt.translation.ir_smt.values import Lane, SVal, lanes

F, T = z3.BoolVal(False), z3.BoolVal(True)


@dataclass
class Row:
    index: int
    name: str
    effects: Effects
    args: list[Lane]                 # the source's argument lanes
    upto: int                        # the source's write log at the call
    ret: SVal | None
    ub: z3.BoolRef
    noreturn: z3.BoolRef
    freed: dict[int, z3.BoolRef]     # non-local block -> freed by the call
    reads: Region = nothing           # the blocks the callee may read
    private: str | None = None       # whose inaccessible memory it may read
    pointers: list[int] = field(default_factory=list)    # which argument lanes are pointers
    local_sizes: dict[int, int] = field(default_factory=dict)   # the source's locals
    promises: list[frozenset[str]] = field(default_factory=list)   # per argument (encode.py)
    params: list[str | None] = field(default_factory=list)   # per lane: where its undef comes from
    key: list[z3.ExprRef] | None = None   # when the inputs depend on the source's choices:
                                          # outputs are functions of these (see `output`)
    bytes: list[tuple[z3.BitVecRef, z3.BitVecRef, z3.BitVecRef]] = field(default_factory=list)
    congruent: list[tuple["Row", z3.BoolRef]] = field(default_factory=list)

    @property
    def entry(self) -> z3.BitVecRef:
        return z3.BitVecVal(self.index, ENTRY_BITS)


class CallTable:
    """Rows of the source's calls; constraints and unknowns go to the
    caller's memory (`NonLocal.pre`, `NonLocal.vars`): shared inputs."""

    def __init__(self, shared):
        self.shared = shared
        self.rows: list[Row] = []
        self.result_blocks: list[int] = []   # reserved for pointers calls return
        self.next_result_block = 0

    def fresh(self, name: str, width: int | None = None) -> z3.ExprRef:
        var = z3.Bool(name) if width is None else z3.BitVec(name, width)
        self.shared.vars.append(var)
        return var

    def output(self, row: Row, what: str, width: int | None = None,
               extra: tuple = ()) -> z3.ExprRef:
        """One output of a call. Usually a fresh unknown; when the call's
        inputs depend on the source's choices (an undef argument), the
        output must depend on them too: the value of an uninterpreted
        function of the inputs (`row.key`), one per callee and output,
        which also makes equal inputs give equal outputs."""
        if row.key is None:
            return self.fresh(f"call:{row.name}#{row.index}:{what}", width)
        key = list(row.key) + list(extra)
        sort = z3.BoolSort() if width is None else z3.BitVecSort(width)
        fn = z3.Function(f"call:{row.name}:{_kind_tag(row)}:{what.split(':')[0]}",
                         *[k.sort() for k in key], sort)
        return fn(*key)

    def add_row(self, row: Row, memory) -> None:
        """A source call: equal inputs to an earlier call of the same
        function give equal outputs."""
        for other in self.rows:
            if other.name != row.name or other.effects.kind != row.effects.kind:
                continue
            same = z3.And([z3.And(a.p == b.p, z3.Implies(z3.Not(a.p), a.v == b.v))
                           for a, b in zip(other.args, row.args)] or [T])
            if row.effects.reads:
                same = z3.And(same, same_memory(memory, other.upto, memory, row.upto, row.reads,
                                                row.private, lambda x, y: x == y))
            same = z3.simplify(same)
            if z3.is_false(same):
                continue
            if other.key is not None and row.key is not None:   # one function: equal already
                self.shared.pre.append(z3.Implies(same, other.key[-1] == row.key[-1]))
                continue
            outs = [other.ub == row.ub, other.noreturn == row.noreturn]
            outs += [z3.And(a.p == b.p, a.v == b.v) for a, b in zip(_lanes(other.ret), _lanes(row.ret))]
            outs += [other.freed[i] == row.freed[i] for i in row.freed]
            self.shared.pre.append(z3.Implies(same, z3.And(outs)))
            other.congruent.append((row, same))
            row.congruent.append((other, same))
        self.rows.append(row)

    def byte(self, row: Row, bid: z3.BitVecRef, off: z3.BitVecRef) -> z3.BitVecRef:
        """The byte the call of `row` left at (bid, off): an unknown made on
        first read, equal for equal addresses and for congruent calls."""
        for b, o, var in row.bytes:
            if z3.eq(b, bid) and z3.eq(o, off):
                return var
        var = self.output(row, f"byte:{len(row.bytes)}", byte_rep.BYTE_BITS, (bid, off))
        self.shared.pre.append(byte_rep.well_formed(var, len(self.shared.blocks)))
        if row.key is None:   # (a function of the address already otherwise)
            for b, o, other in row.bytes:
                self.shared.pre.append(z3.Implies(z3.And(b == bid, o == off), other == var))
        for peer, same in row.congruent:
            for b, o, other in peer.bytes:
                self.shared.pre.append(z3.Implies(z3.And(same, b == bid, o == off), other == var))
        row.bytes.append((bid, off, var))
        return var

    def match(self, row: Row, args: list[Lane], undefs: tuple[list[z3.BoolRef], list[str | None]],
              memory_src, memory_tgt, upto: int, local_sizes: dict[int, int]) -> z3.BoolRef:
        """The target's call (its argument lanes, whether each is undef, its
        memory at `upto`, the sizes of its locals) refines the inputs of the
        source call `row`. Local blocks correspond by index, if of one size."""
        flags, sources = undefs   # an undef lane is allowed against all of undef or itself
        undef = [F if q == "undef" or (p is not None and p == q) else u
                 for u, p, q in zip(flags, sources, row.params)]
        conds = [z3.Implies(z3.Not(a.p), z3.And(z3.Not(b.p), z3.Not(u), a.v == b.v))
                 for a, b, u in zip(row.args, args, undef)]
        for k in row.pointers:
            a = row.args[k]
            conds += [z3.Implies(z3.Not(a.p), bid_of(a.v) != local_bid(i))
                      for i, size in row.local_sizes.items() if local_sizes.get(i) != size]
        if row.effects.reads:
            conds.append(same_memory(memory_src, row.upto, memory_tgt, upto, row.reads,
                                     row.private, byte_rep.refined))
        return z3.simplify(z3.And(conds)) if conds else T


def _kind_tag(row: Row) -> str:
    reads, writes, frees, noreturn, willreturn = row.effects.kind
    return "".join(sorted(reads)) + "-" + "".join(sorted(writes)) + \
        f"-{int(frees)}{int(noreturn)}{int(willreturn)}"


def _lanes(val: SVal | None) -> list[Lane]:
    return [] if val is None else lanes(val)
