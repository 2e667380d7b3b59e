"""The memory part of refinement (docs/memory.md): after the value checks,
the target's final non-local memory must refine the source's byte by byte
(`Mismatch in memory`), and the inputs must satisfy the memory model's
preconditions (block sizes, where pointer arguments point, equal initial
bytes at equal addresses).
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Function
from veriopt.translation.ir_smt import Encoding, Inputs
from veriopt.translation.ir_smt.memory import addresses
from veriopt.translation.ir_smt.memory import byte as byte_rep
from veriopt.translation.ir_smt.memory.layout import DataLayout
from veriopt.translation.ir_smt.memory.pointer_bytes import pointer_lanes
from veriopt.translation.ir_smt.memory.pointers import (
    BID_BITS,
    LOCAL_BIT,
    OFF_BITS,
    bid_of,
    describe,
    has_pointer,
    is_local,
)
from veriopt.translation.ir_smt.values import lanes
from veriopt.verify import verdict as V
from veriopt.verify.counterexample import Evaluator, free_constants, substitute_model
from veriopt.verify.solvers import solve

F = z3.BoolVal(False)


@dataclass
class MemoryQuery:
    """As refinement.Query: the error kind, the condition, show values?"""

    name: str
    body: z3.BoolRef
    show_values: bool


def make_inputs(src: Function, tgt: Function, allow_poison: bool, allow_undef: bool,
                little_endian: bool, tgt_is_asm: bool = False) -> Inputs:
    """The shared inputs: arguments, and the caller's memory (globals of
    both modules, the arguments' blocks)."""
    inputs = Inputs.make(src.params, allow_poison=allow_poison, allow_undef=allow_undef,
                         global_vars=module_globals(src, tgt), dl=DataLayout.of(src),
                         little_endian=little_endian)
    if inputs.memory is not None:   # blocks for the pointers the caller's memory holds
        inputs.memory.add_loaded_blocks(pointer_loads(src) + pointer_loads(tgt))
        # Alive2: the caller's bytes hold pointers only if the functions load
        # or store pointers (alive-tv: else an unknown i8 is never poison
        # with -disable-poison-input)
        inputs.memory.pointer_bytes = pointer_access(src) or pointer_access(tgt)
        inputs.memory.asm_side = "tgt" if tgt_is_asm else None
    return inputs


def pointer_access(fn: Function) -> bool:
    """Does `fn` load or store a value that holds a pointer?"""
    return any(has_pointer(i.type if i.opcode == "load" else i.operands[0].type)
               for i in fn.instructions() if i.opcode in ("load", "store"))


def pointer_loads(fn: Function) -> int:
    """Pointers `fn`'s loads read (each may point to a block of its own)."""
    return sum(pointer_lanes(i.type) for i in fn.instructions() if i.opcode == "load")


class MemoryCheck:
    """Built once both sides are encoded; `query()` before `precondition()`
    (the final comparison reads initial bytes, which add to it)."""

    def __init__(self, inputs: Inputs, src: Encoding, tgt: Encoding, src_fn: Function):
        self.inputs = inputs
        self.src_mem = inputs.memory.sides.get("src")
        self.tgt_mem = inputs.memory.sides.get("tgt")
        self.src, self.tgt = src, tgt
        self.block = z3.BitVec("mem:block", BID_BITS)
        self.offset = z3.BitVec("mem:offset", OFF_BITS)
        self.raw: z3.BoolRef | None = None      # the mismatch, location free
        self.skolem = False   # the location is chosen after the source's choices
        self.src_byte: z3.BitVecRef | None = None
        self.tgt_byte: z3.BitVecRef | None = None
        self.placed = False
        has_locals = any(m is not None and m.locals for m in (self.src_mem, self.tgt_mem))
        if has_locals and has_pointer(src_fn.ret_type) and self._may_return_local():
            raise Unsupported("returning a pointer from a function with allocas")
        self.query()

    def _may_return_local(self) -> bool:
        """May either side return a (non-poison) pointer to one of its
        locals? Alive2 compares those by block size, offset and liveness
        (`Pointer::refined`), which is not modelled; other pointers compare
        as values."""
        local = []
        for enc in (self.src, self.tgt):
            for lane in lanes(enc.ret) if enc.ret is not None else ():
                if lane.v.size() == BID_BITS + OFF_BITS:
                    local.append(z3.And(enc.returns, z3.Not(lane.p), is_local(bid_of(lane.v))))
        if not local:
            return False
        check = z3.Solver()
        check.set("timeout", 10_000)
        check.add(self.inputs.memory.precondition(), z3.Or(local))
        return check.check() != z3.unsat

    def queries(self) -> list:
        """The `Mismatch in memory` query, after the value checks (if any
        byte of the caller's memory is written)."""
        if self.raw is None:
            return []
        return [MemoryQuery(V.ERR_MEMORY, self.raw, False)]

    def query(self) -> z3.BoolRef | None:
        """Both sides return and some byte of a non-local block differs: a
        data bit the source defines is poison or different in the target."""
        shared = self.inputs.memory
        sm, tm = self.src_mem, self.tgt_mem
        if sm is None or tm is None or not (sm.writes or tm.writes):
            return None
        b, o = self.block, self.offset
        null_valid = sm.null_valid or tm.null_valid   # null_pointer_is_valid: null is a block
        valid = z3.Or([z3.And(b == i, z3.ULT(o, blk.size))
                       for i, blk in enumerate(shared.blocks) if i > 0 or null_valid])
        self.src_byte = sb = sm.read_byte(b, o)
        self.tgt_byte = tb = tm.read_byte(b, o)
        asm = None   # the asm target's bytes may hold a pointer's address (asm_mode.py)
        if shared.asm_side == "tgt":
            asm = lambda p: addresses.address(sm, p)  # noqa: E731 (a non-local pointer's)
        bad = z3.Not(byte_rep.refined(sb, tb, asm_address=asm))
        self.raw = z3.And(self.src.returns, self.tgt.returns, valid, bad)
        return self.raw

    def decide(self, within: z3.BoolRef, free_vars: list, decide, cfg, witness: list):
        """(result, the query it answers). The query: for every choice of the
        source some byte differs, and which byte may depend on the choice
        (Alive2's nondet-skolem test). Three steps, cheapest first: no byte
        differing when the source chooses as the target does (a witness)
        proves there is none; a byte that differs whatever the source
        chooses is a counterexample; else the nested quantifier decides."""
        assert self.raw is not None
        raw = z3.simplify(z3.And(within, self.raw))   # (Bitwuzla wants no 1-ary or/and)
        where = [self.block, self.offset]
        if not self.skolem:
            return decide(raw, free_vars + where), raw
        for guess in (witness, self._latest_copies()):
            chosen = {str(s): t for s, t in guess}
            pairs = [(c, chosen.get(str(c), z3.BitVecVal(0, c.size()) if z3.is_bv(c) else F))
                     for c in self.src_choices]
            proof = solve(z3.simplify(z3.substitute(raw, *pairs)), free_vars + where, cfg)
            if proof.status == "unsat":
                return proof, raw
        result = decide(raw, free_vars + where)
        if result.status != "unsat":
            return result, raw
        nested = z3.And(within, z3.Exists(where, z3.simplify(self.raw)))
        return decide(nested, free_vars), nested

    def precondition(self, src_choices: list) -> z3.BoolRef:
        """The shared inputs' constraints. Initial bytes are read lazily and
        tied by address, which is only valid when no read address depends
        on the source's own choices (they are under the ∀)."""
        shared = self.inputs.memory
        if not self.placed:   # where the observed local blocks lie
            self.placed = True
            if self.src_mem is not None:
                addresses.check_source(self.src_mem)
            for mem in (self.src_mem, self.tgt_mem):
                if mem is not None:
                    shared.pre += addresses.constraints(mem)
        self.src_choices = list(src_choices)
        self.skolem = bool(src_choices)
        choices = {str(c) for c in src_choices}
        for read in shared.reads:
            for term in (read.bid, read.off):
                if any(str(c) in choices for c in free_constants(term)):
                    raise Unsupported("memory read at an address the source chooses "
                                      "(undef or freeze)")
        return shared.precondition()

    def free_vars(self) -> list:
        return self.inputs.memory.all_vars()

    def describe(self, cex: V.Counterexample, model) -> None:
        """Fill in where the final memory differs and both bytes."""
        if str(self.block) not in {str(k) for k, _ in model}:   # the nested query's
            model = list(model) + self._locate(model)         # byte, for choices at 0
        ev = Evaluator(model)
        bid = ev.term(self.block).as_long()
        off = ev.term(self.offset).as_long()
        cex.memory = f"Mismatch in {describe((bid << OFF_BITS) | off)}"
        assert self.src_byte is not None and self.tgt_byte is not None
        cex.source_value = byte_rep.show(ev.term(self.src_byte).as_long())
        cex.target_value = byte_rep.show(ev.term(self.tgt_byte).as_long())
        assert not bid & LOCAL_BIT


    def _latest_copies(self) -> list:
        """Each source undef read paired with the target's latest copy of
        the same root (stores read values late, after copies of copies)."""
        latest: dict[str, z3.ExprRef] = {}
        for copy in self.tgt.undef_vars:
            key = self.tgt.undef_origin.get(str(copy))
            if key is not None:
                latest[key.root] = copy
        pairs = []
        for copy in self.src.undef_vars:
            key = self.src.undef_origin.get(str(copy))
            if key is not None and key.root in latest and latest[key.root].sort() == copy.sort():
                pairs.append((copy, latest[key.root]))
        return pairs

    def _locate(self, model) -> list:
        assert self.raw is not None
        keep = {str(self.block), str(self.offset)}
        fixed = substitute_model(self.raw, model)
        rest = [c for c in free_constants(fixed) if str(c) not in keep]
        zeros = [(c, z3.BitVecVal(0, c.size()) if z3.is_bv(c) else F) for c in rest]
        solver = z3.Solver()
        solver.set("timeout", 10_000)
        solver.add(z3.substitute(fixed, *zeros) if zeros else fixed)
        if solver.check() != z3.sat:
            return []
        m = solver.model()
        return [(v, m.eval(v, model_completion=True)) for v in (self.block, self.offset)]


def module_globals(src: Function, tgt: Function) -> dict:
    """The globals of both modules by name (one block each, shared); a
    global the two define differently is refused."""
    merged = dict(src.globals)
    for name, var in tgt.globals.items():
        if name in merged and merged[name].text != var.text:
            raise Unsupported(f"global @{name} defined differently in the two modules")
        merged[name] = var
    return merged
