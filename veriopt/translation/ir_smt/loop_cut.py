"""Cut a function with one loop into two loop-free functions, so that a loop
can be reasoned about inductively (verify/induction.py) with the same
encoder that checks everything else.

Both functions return a struct `{i1 continues, [return value,] state...}`:

- `pre` runs the function from its entry. Where it would enter the loop it
  returns `continues = 1` and the loop's state: the header's phi values for
  that edge and the *live-ins* (values defined before the loop that the loop
  or its exits read). Where it returns without entering the loop it returns
  `continues = 0` and the return value.
- `step` starts at the loop header with the state as parameters (each phi
  and live-in becomes a parameter of the same name, after the original
  parameters) and runs one iteration: a back edge returns `continues = 1`
  and the next state, an exit runs on to the function's `ret` and returns
  `continues = 0` and the return value.

Only the shape this can represent is cut: one natural loop (no nested or
sequential loops: `step` must come out loop-free), states of modelled
types. Anything else raises Unsupported, and the caller keeps its bounded
verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from veriopt.errors import Unsupported
from veriopt.ir.model import (
    Attrs, Block, Function, Instr, IntConst, LocalRef, Param, PoisonConst, Value,
)
from veriopt.ir.types import I1, VOID, StructType, Type, VoidType, unsupported_type
from veriopt.translation.ir_smt.unroll import _back_edges, _loop_bodies, successors

PREFIX = "__vo"   # names of the blocks and values the cut adds


@dataclass
class Cut:
    pre: Function
    step: Function | None     # None when the function has no loop
    state: list[Param]        # the step's state parameters (after the original ones)
    returns_value: bool       # the struct has a return-value field (index 1)
    phis: int = 0             # state[:phis] are the header's phis, the rest live-ins

    @property
    def first_state_field(self) -> int:
        return 2 if self.returns_value else 1


def cut(fn: Function) -> Cut:
    """`fn` as pre/step functions; Unsupported if its loops are not one
    natural loop."""
    if fn.is_declaration or not fn.blocks:
        raise Unsupported("function declarations")
    succ = successors(fn)
    entry = fn.blocks[0].name
    back = _back_edges(entry, succ)
    returns_value = not isinstance(fn.ret_type, VoidType)
    if not back:
        shape = _struct(fn, [])
        return Cut(_rewrite(fn, [], shape, set(), {}, enter=set()), None, [], returns_value)
    bodies = _loop_bodies(back, succ)
    if len(bodies) != 1:
        raise Unsupported("more than one loop (induction handles one)")
    (header, body), = bodies.items()
    blocks = {b.name: b for b in fn.blocks}
    for name in body:
        if name != header and any(p not in body for p in succ if name in succ[p]):
            raise Unsupported("irreducible control flow")
    latches = {src for src, dst in back}
    entering = [p for p in succ if header in succ[p] and p not in body]

    phis = [i for i in blocks[header].instrs if i.opcode == "phi"]
    in_step = _reachable(header, succ, stop=set())
    defined_before = {i.name: (b.name, i.type) for b in fn.blocks if b.name not in in_step
                      for i in b.instrs if i.name is not None}
    live_ins = _live_ins(fn, in_step, defined_before)
    state = [Param(i.name, i.type, Attrs()) for i in phis] + \
            [Param(name, ty, Attrs()) for name, ty in live_ins]
    for param in state:
        reason = unsupported_type(param.type)
        if reason:
            raise Unsupported(f"{reason} (loop state %{param.name})")
    shape = _struct(fn, [p.type for p in state])

    def state_from(pred: str) -> list[Value]:
        incoming = [dict((blk, v) for v, blk in phi.extra["incoming"])[pred] for phi in phis]
        return incoming + [LocalRef(name, ty) for name, ty in live_ins]

    pre = _rewrite(fn, [], shape, {header}, {p: state_from(p) for p in entering}, enter=set(entering))
    step_entry = Block(f"{PREFIX}.entry", [Instr(None, "br", VOID, [], extra={"targets": [header]})])
    step = _rewrite(fn, [step_entry], shape, {header}, {p: state_from(p) for p in latches},
                    enter=latches, drop_phis_of=header)
    step.params = list(fn.params) + state
    return Cut(pre, step, state, returns_value, len(phis))


def _struct(fn: Function, state_types: list[Type]) -> StructType:
    ret = [] if isinstance(fn.ret_type, VoidType) else [fn.ret_type]
    return StructType(tuple([I1] + ret + state_types))


def _reachable(start: str, succ: dict[str, list[str]], stop: set[str]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(t for t in succ[n] if t not in stop)
    return seen


def _live_ins(fn: Function, in_step: set[str], defined_before: dict) -> list[tuple[str, Type]]:
    """Values defined outside the step's blocks and read inside them (a phi's
    incoming value counts only for an incoming edge inside them)."""
    used: dict[str, Type] = {}
    for b in fn.blocks:
        if b.name not in in_step:
            continue
        for instr in b.instrs:
            if instr.opcode == "phi":
                values = [v for v, blk in instr.extra["incoming"] if blk in in_step]
            else:
                values = list(instr.operands)
            for v in values:
                if isinstance(v, LocalRef) and v.name in defined_before:
                    used.setdefault(v.name, defined_before[v.name][1])
    return list(used.items())


def _rewrite(fn: Function, prologue: list[Block], shape: StructType, header: set[str],
             state_at: dict[str, list[Value]], enter: set[str],
             drop_phis_of: str | None = None) -> Function:
    """A copy of `fn` whose edges from `enter` blocks into the header go to
    new blocks returning the state, whose `ret`s return the struct, and
    (for the step) whose header has no phis."""
    first_state = 2 if not isinstance(fn.ret_type, VoidType) else 1
    out: list[Block] = list(prologue)
    extra_blocks: list[Block] = []
    for block in fn.blocks:
        instrs = []
        for instr in block.instrs:
            if block.name == drop_phis_of and instr.opcode == "phi":
                continue
            if instr.opcode == "ret":
                value = instr.operands[0] if instr.operands else None
                instrs += _return(shape, 0, value, [], f"{block.name}.ret", first_state)
                continue
            if block.name in enter and instr.opcode in ("br", "switch"):
                exit_block = f"{PREFIX}.{block.name}.state"
                instr = _retarget(instr, header, exit_block)
                extra_blocks.append(Block(exit_block, _return(
                    shape, 1, None, state_at[block.name], f"{block.name}.state", first_state)))
            instrs.append(instr)
        out.append(Block(block.name, instrs))
    return replace(fn, blocks=out + extra_blocks, params=list(fn.params))


def _retarget(instr: Instr, header: set[str], new: str) -> Instr:
    extra = dict(instr.extra)
    if instr.opcode == "br":
        extra["targets"] = [new if t in header else t for t in instr.extra["targets"]]
    else:
        extra["default"] = new if instr.extra["default"] in header else instr.extra["default"]
        extra["cases"] = [(v, new if t in header else t) for v, t in instr.extra["cases"]]
    return replace(instr, extra=extra)


def _return(shape: StructType, continues: int, value: Value | None, state: list[Value],
            tag: str, first_state: int) -> list[Instr]:
    """insertvalue instructions filling the struct, then `ret` of it; fields
    left out stay poison."""
    fields: list[tuple[int, Value]] = [(0, IntConst(I1, continues))]
    if value is not None:
        fields.append((1, value))
    fields += [(first_state + k, v) for k, v in enumerate(state)]
    instrs: list[Instr] = []
    agg: Value = PoisonConst(shape)
    for n, (index, v) in enumerate(fields):
        name = f"{PREFIX}.{tag}.{n}"
        instrs.append(Instr(name, "insertvalue", shape, [agg, v], extra={"indices": [index]}))
        agg = LocalRef(name, shape)
    instrs.append(Instr(None, "ret", VOID, [agg]))
    return instrs
