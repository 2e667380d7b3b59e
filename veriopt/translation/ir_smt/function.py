"""Encode one function as SMT: its return value, its UB condition, whether
it returns, and its non-determinism, over inputs shared with the other side.

Blocks are visited in topological order of the (unrolled, see unroll.py)
control-flow graph; each gets a reachability condition (the OR of its
incoming edges) and the values of its predecessors, merged by the edge
taken. UB is `reach(block) ∧ cond` for each instruction's UB condition.
Branching on poison, or on a value that depends on undef, is UB.

Undef is a fresh value at every use (LangRef, "Undefined Values", and
Alive2's reading of it): each SSA value remembers the undef variables it
was built from, and every use substitutes fresh copies. That holds for an
`undef` constant, for an argument that may be undef (undef as a whole
value: all its bits or none), and for anything computed from either before
a `freeze`. So `add %x, %x` with %x undef may be odd, and `mul %x, 2`
may not. The copies are the side's "undef variables"; freeze turns them
into ordinary non-determinism (one fixed choice).
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import (
    AggregateConst, ConstExpr, Function, Instr, IntConst, LocalRef, OpaqueConst, Param,
    PoisonConst, UndefConst, Value, ZeroConst,
)
from veriopt.ir.types import FloatType, IntType, Type, VoidType, unsupported_type
from veriopt.translation.ir_smt import call_site, int_ops  # noqa: F401 (int_ops: registration)
from veriopt.translation.ir_smt.attributes import (
    BENIGN_METADATA, POINTER_PARAM_ATTRS, RETURN_ATTRS, apply_range, check_attributes,
    require_modelled_types,
)
from veriopt.translation.ir_smt.encoding import (  # noqa: F401 (InputVar: re-exported)
    F, T, Encoding, Entry, InputVar, Inputs, UseKey, fresh_name, merge_envs, template_name,
)
from veriopt.translation.ir_smt.call_site import memory_ops, nofpclass
from veriopt.translation.ir_smt.registry import lookup_opcode, prepare_for
from veriopt.translation.ir_smt.unroll import State, unroll
from veriopt.translation.ir_smt.values import (
    Lane, SVal, const_lane, ite, lanes, map_lanes, poison_lane, shape,
)


class FunctionEncoder:
    """One side, block by block; also the `ctx` the per-opcode builders of
    the registry see (`op`, `use`, `add_ub`, `fresh_nondet`)."""

    def __init__(self, fn: Function, inputs: Inputs, side: str, little_endian: bool = True,
                 unroll: int = 0):
        self.fn = fn
        self.unroll = unroll
        self.has_loops = False
        self.sink_terms: list[z3.BoolRef] = []  # executions beyond the unroll bound
        self.inputs = inputs
        self.side = side
        self.little_endian = little_endian
        self.env: dict[str, Entry] = {}
        self.ub_terms: list[z3.BoolRef] = []
        self.guardable_terms: list[z3.BoolRef] = []
        self.unreachable_terms: list[z3.BoolRef] = []
        self.stop_terms: list[z3.BoolRef] = []
        self.undef_vars: list = []       # per-use copies of undef values
        self.undef_origin: dict[str, UseKey] = {}   # copy -> where it was read, and of what
        self.reads: dict[str, int] = {}             # value -> reads so far (UseKey.n)
        self.nondet_vars: list = []
        self.values: list[tuple[str, Type, Entry]] = []
        self.reach: z3.BoolRef = T
        self.instr: Instr | None = None
        # allocas and stores; None when neither side touches memory (memory_use.py)
        self.memory = None if inputs.memory is None else memory_ops().Memory(inputs.memory, side)
        self.escaped: list[int] = []   # local blocks passed to calls that keep them (calls/)
        self.angelic_vars: list = []   # see Encoding.angelic_vars

    # ---- services for semantics builders ----
    def add_ub(self, cond: z3.BoolRef, guardable: bool = False) -> None:
        """Immediate UB when `cond` holds on this path. Guardable UB is the
        arithmetic kind (division by zero, INT_MIN / -1) that Alive2's
        --disallow-ub-exploitation forbids outright."""
        self.ub_terms.append(z3.And(self.reach, cond))
        if guardable:
            self.guardable_terms.append(z3.And(self.reach, cond))

    def stop_path(self) -> None:
        self.stop_terms.append(self.reach)
        self.reach = F   # nothing after it runs (no UB, no stores)

    def fresh_nondet(self, width: int, why: str) -> z3.BitVecRef:
        var = z3.BitVec(fresh_name(f"{self.side}:{why}"), width)
        self.nondet_vars.append(var)
        return var

    def op(self, i: int, undef_as_nondet: bool = False) -> SVal:
        assert self.instr is not None
        return self.use(self.instr.operands[i], undef_as_nondet)

    def use(self, value: Value, undef_as_nondet: bool = False) -> SVal:
        """The SMT value of one use of `value`, with fresh undef copies."""
        entry = self.entry_of(value)
        if not entry.undef_vars:
            return entry.val
        subst = []
        read = self._read_name(value)
        n = self.reads[read] = self.reads.get(read, -1) + 1
        for var in entry.undef_vars:
            copy = z3.Const(fresh_name(f"{self.side}:undef"), var.sort())
            (self.nondet_vars if undef_as_nondet else self.undef_vars).append(copy)
            inner = self.undef_origin.get(str(var)) or template_name(var)
            self.undef_origin[str(copy)] = UseKey(read, n, inner)
            subst.append((var, copy))
        return map_lanes(lambda lane: Lane(z3.substitute(lane.v, *subst),
                                           z3.substitute(lane.p, *subst)), entry.val)

    def _read_name(self, value: Value) -> str:
        """A value's name as both sides can agree on it: arguments by
        position, the returned value as such, others by name."""
        if self.instr is not None and self.instr.opcode == "ret":
            return "<returned>"
        if isinstance(value, LocalRef):
            for k, param in enumerate(self.fn.params):
                if param.name == value.name:
                    return f"arg{k}"
            return value.name
        return "constant"

    def undef_dependence(self, value: Value) -> z3.BoolRef:
        """True when two uses of `value` may see different bits: the value is
        (partly) undef. Used where undef is UB (branches, noundef)."""
        entry = self.entry_of(value)
        if not entry.undef_vars:
            return F
        a, b = self.use(value), self.use(value)
        return z3.Or([x.v != y.v for x, y in zip(lanes(a), lanes(b))])

    # ---- values ----
    def entry_of(self, value: Value) -> Entry:
        if isinstance(value, LocalRef):
            if value.name not in self.env:
                raise Unsupported(f"use of %{value.name} before its definition (loop?)")
            return self.env[value.name]
        return self.constant(value)

    def constant(self, value: Value) -> Entry:
        ty = value.type
        if isinstance(value, IntConst):
            return Entry(shape(ty, lambda t: const_lane(t.width, value.value)))
        if isinstance(value, ZeroConst):
            return Entry(shape(ty, lambda t: const_lane(t.width, 0)))
        if isinstance(value, PoisonConst):
            return Entry(shape(ty, lambda t: poison_lane(t.width)))
        if isinstance(value, UndefConst):
            templates = []

            def leaf(t: IntType) -> Lane:
                var = z3.BitVec(fresh_name("undefconst"), t.width)
                templates.append(var)
                return Lane(var, F)
            return Entry(shape(ty, leaf), tuple(templates))
        if isinstance(value, AggregateConst):
            parts = [self.constant(e) for e in value.elems]
            return Entry(tuple(p.val for p in parts),
                         tuple(v for p in parts for v in p.undef_vars))
        if isinstance(value, ConstExpr):
            return self.const_expr(value)
        if isinstance(value, OpaqueConst) and isinstance(ty, FloatType):
            from veriopt.translation.ir_smt.fp_values import const_bits
            return Entry(const_lane(ty.width, const_bits(value.text, ty)))
        if isinstance(value, OpaqueConst):
            raise Unsupported(f"constant {value.text} of type {value.type}")
        return Entry(memory_ops().global_address(self, value))   # else unsupported

    def const_expr(self, ce: ConstExpr) -> Entry:
        builder = lookup_opcode(ce.opcode)
        if builder is None or ce.opcode in ("call",):
            raise Unsupported(f"constant expression {ce.opcode}")
        fake = Instr(None, ce.opcode, ce.type, list(ce.operands), ce.flags, extra={"source_type": ce.source_type})
        saved = self.instr
        self.instr = fake
        try:
            val = builder(self, fake)
        finally:
            self.instr = saved
        return Entry(val)

    # ---- the function ----
    def encode(self) -> Encoding:
        fn = self.fn
        prepare_for(fn)   # the floating-point builders, when fn needs them
        if self.side == "src" and self.memory is not None:
            from veriopt.translation.ir_smt.calls.encode import reserve_result_blocks
            reserve_result_blocks(fn, self.inputs)   # memory calls may return
        reason = unsupported_type(fn.ret_type)
        if reason:
            raise Unsupported(f"{reason} (return type)")
        check_attributes(fn)
        # parameters correspond by position, not by name
        for param, shared in zip(fn.params, self.inputs.params):
            val, templates = self.inputs.entries[shared.name]
            val = self._param_attrs(param, val)
            if any(a in POINTER_PARAM_ATTRS for a in param.attrs.other):
                val = memory_ops().param_attrs(self, param, val)
            self.env[param.name] = Entry(val, templates)
        for param in fn.params:
            self._param_ub(param)

        graph = unroll(fn, self.unroll)
        self.has_loops = graph.has_loops
        blocks = {b.name: b for b in fn.blocks}
        entry_env = self.env
        env_out: dict[State, dict[str, Entry]] = {}
        edge: dict[tuple[State, State], z3.BoolRef] = {}
        returns: list[tuple[z3.BoolRef, Instr, dict[str, Entry]]] = []
        for state in graph.order:
            preds = graph.preds[state]
            if not preds:
                self.reach = T
                self.env = dict(entry_env)
            else:
                conds = [edge[(p, state)] for p in preds]
                self.reach = z3.Or(conds) if len(conds) > 1 else conds[0]
                self.env = merge_envs([(edge[(p, state)], env_out[p]) for p in preds])
            block = blocks[state.block]
            for instr in block.instrs:
                self.instr = instr
                if instr.opcode == "phi":
                    self._phi(state, instr, preds, edge, env_out)
                elif instr.opcode in ("br", "switch"):
                    targets: dict[str, z3.BoolRef] = {}
                    for target, cond in self._branch(instr):
                        taken = z3.And(self.reach, cond)
                        targets[target] = z3.Or(targets[target], taken) if target in targets else taken
                    for target in graph.cut.get(state, ()):
                        self.sink_terms.append(targets[target])
                    for succ_state in graph.succs.get(state, ()):
                        edge[(state, succ_state)] = targets[succ_state.block]
                elif instr.opcode == "ret":
                    returns.append((self.reach, instr, self.env))
                elif instr.opcode == "unreachable":
                    self.add_ub(T)
                    self.unreachable_terms.append(self.reach)
                else:
                    self._instruction(instr)
            env_out[state] = self.env
        return self._finish(returns)

    def _phi(self, state, instr: Instr, preds, edge, env_out) -> None:
        """The incoming value is read at the end of the predecessor it came
        from, so a loop-carried phi sees the previous iteration's value."""
        incoming = dict((blk, value) for value, blk in instr.extra["incoming"])
        result: SVal | None = None
        undef_vars: tuple = ()
        current_env = self.env
        for pred in reversed(preds):
            if pred.block not in incoming:
                continue
            cond = edge[(pred, state)]
            self.env = env_out[pred]
            value = incoming[pred.block]
            entry = self.entry_of(value)
            self.env = current_env
            if result is None:
                result = entry.val
            else:
                result = ite(cond, entry.val, result)
            undef_vars += entry.undef_vars
        if result is None:
            result = shape(instr.type, lambda t: poison_lane(t.width))
        if instr.flags:   # fast-math flags on a floating-point phi
            from veriopt.translation.ir_smt.fp_flags import chosen_value_flags
            result = chosen_value_flags(self, instr.flags, result, instr.type)
        self._define(instr, Entry(result, undef_vars))

    def _branch(self, instr: Instr) -> list[tuple[str, z3.BoolRef]]:
        if instr.opcode == "br" and not instr.operands:
            return [(instr.extra["targets"][0], T)]
        cond_val = instr.operands[0]
        cond = self.use(cond_val)
        self.add_ub(z3.Or(cond.p, self.undef_dependence(cond_val)))
        if instr.opcode == "br":
            t, f = instr.extra["targets"]
            return [(t, cond.v == 1), (f, cond.v == 0)]
        out = []
        none_matched = []
        for case_val, target in instr.extra["cases"]:
            case = self.constant(case_val).val
            hit = cond.v == case.v
            out.append((target, hit))
            none_matched.append(z3.Not(hit))
        out.append((instr.extra["default"], z3.And(none_matched) if none_matched else T))
        return out

    def _instruction(self, instr: Instr) -> None:
        for kind in instr.extra.get("metadata", ()):
            if kind not in BENIGN_METADATA and not (
                    instr.opcode == "load" and memory_ops().handles_metadata(kind)):
                raise Unsupported(f"!{kind} metadata on {instr.opcode}")
        first_new_undef = len(self.undef_vars)
        if instr.opcode == "call":
            val = self._call(instr)
        else:
            builder = lookup_opcode(instr.opcode)
            if builder is None:
                raise Unsupported(f"instruction {instr.opcode}")
            require_modelled_types(instr, instr.opcode)
            val = builder(self, instr)
        if instr.name is not None and val is not None:
            # the undef copies this instruction consumed stay undef in its
            # result: every use of the result gets copies of its own (freeze
            # consumed its copies as non-determinism, so it has none)
            declared = instr.opcode == "call" and not instr.extra["callee"].startswith("llvm.")
            self._define(instr, Entry(val, () if declared else tuple(self.undef_vars[first_new_undef:])))
            if instr.opcode == "call" and instr.extra["ret_attrs"].noundef:
                # a noundef result that is poison or undef is UB at the call
                self._noundef_ub(LocalRef(instr.name, instr.type))

    def _define(self, instr: Instr, entry: Entry) -> None:
        assert instr.name is not None
        if instr.name not in self.env:  # in an unrolled loop: the first copy is shown
            self.values.append((instr.name, instr.type, entry))
        self.env[instr.name] = entry

    def _call(self, instr: Instr):
        return call_site.call(self, instr)

    def _noundef_ub(self, value: Value) -> None:
        v = self.use(value)
        self.add_ub(z3.Or(z3.Or([lane.p for lane in lanes(v)]), self.undef_dependence(value)))

    def _param_attrs(self, param: Param, val: SVal) -> SVal:
        return nofpclass(apply_range(val, param.attrs), param.attrs.nofpclass, param.type)

    def _param_ub(self, param: Param) -> None:
        """Passing poison or undef to a `noundef` parameter is UB (the
        caller's), so this side is undefined on such inputs."""
        if param.attrs.noundef:
            self.reach = T
            self._noundef_ub(LocalRef(param.name, param.type))

    def _finish(self, returns) -> Encoding:
        fn = self.fn
        ub = z3.Or(self.ub_terms) if self.ub_terms else F
        ret: SVal | None = None
        reach_ret = []
        for reach, instr, env in reversed(returns):
            reach_ret.append(reach)
            if not instr.operands:
                continue
            self.reach = reach
            self.instr = instr
            self.env = env
            value = instr.operands[0]
            v = self.use(value)
            v = apply_range(v, fn.ret_attrs)
            if any(a in RETURN_ATTRS for a in fn.ret_attrs.other):
                v = memory_ops().ret_attrs(self, v)
            v = nofpclass(v, fn.ret_attrs.nofpclass, fn.ret_type)
            if fn.ret_attrs.noundef:
                self.add_ub(z3.Or(z3.Or([lane.p for lane in lanes(v)]),
                                  self.undef_dependence(value)))
            ret = v if ret is None else ite(reach, v, ret)
        if self.side != "src":   # unknowns shared by both sides: existential, as inputs are
            self.nondet_vars += [v for v in self.inputs.shared.values()
                                 if not any(v.eq(w) for w in self.nondet_vars)]
        reached_ret = z3.Or(reach_ret) if reach_ret else F
        if "noreturn" in fn.fn_attrs:   # returning from a noreturn function is UB
            self.ub_terms.append(reached_ret)
        ub = z3.Or(self.ub_terms) if self.ub_terms else F
        stopped = z3.Or(self.stop_terms) if self.stop_terms else F
        returns_ok = z3.And(z3.Not(ub), reached_ret, z3.Not(stopped))
        if ret is None and not isinstance(fn.ret_type, VoidType):
            ret = shape(fn.ret_type, lambda t: poison_lane(t.width))
        return Encoding(ret, tuple(self.undef_vars), ub, returns_ok, list(self.undef_vars),
                        list(self.nondet_vars), self.values,
                        z3.Or(self.unreachable_terms) if self.unreachable_terms else F,
                        dict(self.undef_origin),
                        z3.Or(self.sink_terms) if self.sink_terms else F, self.has_loops,
                        z3.Or(self.guardable_terms) if self.guardable_terms else F,
                        list(self.angelic_vars))


def encode_function(fn: Function, inputs: Inputs, side: str, little_endian: bool = True,
                    unroll: int = 0) -> Encoding:
    """`fn` as SMT over the shared `inputs`; `side` names its variables
    ("src"/"tgt"), `unroll` bounds its loops (0: the default)."""
    return FunctionEncoder(fn, inputs, side, little_endian, unroll).encode()
