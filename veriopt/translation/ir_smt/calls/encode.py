"""The builder of a call to a declared function (calls/table.py has the
model). The source's call adds a row of unknown outputs; the target's
takes the outputs of the source call its inputs refine, and is UB when
there is none. Then, on either side: UB if the callee is, the path stops
if it does not return, its bytes and frees are logged (memory/havoc.py)
for the region it may write.

A pointer to a local block passed to a call escapes: the callee may read
and write that block during the call, and later calls too unless the
argument is `captures(none)`. Escaped locals of the two sides correspond
by allocation index (their sizes must agree for a target call to match).
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Attrs, Function, Instr, LocalRef, UndefConst
from veriopt.ir.types import PtrType, Type, VoidType
from veriopt.translation.ir_smt.calls.effects import Effects, call_effects
from veriopt.translation.ir_smt.calls.libcalls import known_builder
from veriopt.translation.ir_smt.calls.table import CallTable, Row
from veriopt.translation.ir_smt.memory import addresses
from veriopt.translation.ir_smt.memory.attributes import constrain_pointer
from veriopt.translation.ir_smt.memory.havoc import ENTRY_BITS, Havoc, Region, nothing, visible
from veriopt.translation.ir_smt.memory.pointers import (
    BID_BITS,
    PTR_BITS,
    bid_of,
    has_pointer,
    is_local,
    local_bid,
)
from veriopt.translation.ir_smt.values import Lane, SVal, free_constants, ite, lanes, poison_lane, shape

F, T = z3.BoolVal(False), z3.BoolVal(True)

# Argument attributes that promise something about the callee (what it
# reads, writes, keeps, returns; breaking the promise is UB): the callee is
# given every behaviour, and a target call matches a source call only if
# it promises no more than the source's did (Alive2).
PROMISES = {"nocapture", "captures", "readonly", "writeonly", "readnone", "returned",
            "noalias", "nofree"}
CALLEE_PROMISES = PROMISES | {"noundef", "zeroext", "signext", "inreg", "nonnull", "align",
                              "dereferenceable", "dereferenceable_or_null", "range", "nofpclass"}
POINTER_ATTRS = {"nonnull", "align", "dereferenceable", "dereferenceable_or_null"}
# Memory attributes of the calling function that a call could break.
CALLER_MEMORY_ATTRS = {"memory", "readnone", "readonly", "writeonly", "argmemonly",
                       "inaccessiblememonly", "inaccessiblemem_or_argmemonly"}


def declared_callee(fn: Function, instr: Instr) -> Function:
    name = instr.extra["callee"]
    callee = fn.functions.get(name)
    if callee is None:
        raise Unsupported(f"call to @{name} (indirect, or not declared in the module)")
    return callee


def reserve_result_blocks(fn: Function, inputs) -> None:
    """Before the source is encoded: one block per call that returns a
    pointer (the callee may return memory nobody else points to)."""
    calls = [i for i in fn.instructions() if i.opcode == "call"
             and not str(i.extra.get("callee", "")).startswith("llvm.") and has_pointer(i.type)]
    if calls:
        table = table_of(inputs)
        first = len(inputs.memory.blocks)
        inputs.memory.reserve_blocks(len(calls))
        table.result_blocks = list(range(first, first + len(calls)))


def table_of(inputs) -> CallTable:
    if inputs.calls is None:
        inputs.calls = CallTable(inputs.memory)
    return inputs.calls


def encode_call(ctx, instr: Instr) -> SVal | None:
    callee = declared_callee(ctx.fn, instr)
    name = callee.name
    known = known_builder(callee, instr)
    if known is not None:
        return known(ctx, instr)
    if ctx.side not in ("src", "tgt"):   # a concrete run (evaluate.py) has no table to share
        raise Unsupported(f"call to @{name} outside a refinement check")
    effects = call_effects(callee.fn_attrs + instr.extra.get("fn_attrs", []))
    touches = bool(effects.reads or effects.writes)
    if touches and any(a.split("(")[0] in CALLER_MEMORY_ATTRS for a in ctx.fn.fn_attrs):
        raise Unsupported(f"memory attributes on a function that calls @{name}")
    if len(instr.operands) != len(callee.params):
        raise Unsupported(f"call to the variadic @{name}")
    if touches and getattr(ctx.memory, "local_ptr_bytes", False):
        raise Unsupported("a call after a pointer to a local block was stored")
    args, (undefs, params), pointers, passed, promises = _arguments(ctx, instr, callee)
    escaped = ctx.escaped + [i for i, kept in passed if i not in ctx.escaped]
    ctx.escaped += [i for i, kept in passed if kept and i not in ctx.escaped]
    reads = _region(effects.reads, escaped, [args[i] for i in pointers])
    writes = _region(effects.writes, escaped, [args[i] for i in pointers])
    private = name if "inacc" in effects.reads | effects.writes else None
    table = table_of(ctx.inputs)
    if ctx.side == "src":
        row = _new_row(ctx, table, name, effects, args, instr, callee, reads, private, pointers)
        row.promises, row.params = promises, params
        table.add_row(row, ctx.memory)
        out = _Outputs(row.ret, row.ub, row.noreturn, row.entry,
                       lambda b, o, r=row: table.byte(r, b, o), lambda i, r=row: r.freed.get(i, F))
    else:
        out = _matched(ctx, table, name, effects, args, (undefs, params), promises, instr.type)
    ctx.add_ub(out.ub)
    ctx.stop_terms.append(z3.And(ctx.reach, out.noreturn))   # the callee does not return
    ctx.reach = z3.And(ctx.reach, z3.Not(out.noreturn))
    if effects.writes:
        # (Alive2: a call that may write anything may free any block, not
        # just those it may write: a deallocation needs no memory(...))
        ctx.memory.writes.append(Havoc(ctx.reach, out.entry, writes, out.byte, out.freed,
                                       name if "inacc" in effects.writes else None))
    ret_attrs = _merged(callee.ret_attrs, instr.extra["ret_attrs"])
    if out.ret is not None and isinstance(instr.type, PtrType) and POINTER_ATTRS & set(ret_attrs.other):
        out.ret = constrain_pointer(ctx, out.ret, ret_attrs)
    return out.ret


class _Outputs:
    def __init__(self, ret, ub, noreturn, entry, byte, freed):
        self.ret, self.ub, self.noreturn, self.entry = ret, ub, noreturn, entry
        self.byte, self.freed = byte, freed


def _merged(decl: Attrs, site: Attrs) -> Attrs:
    """The declaration's attributes and the call site's together."""
    args = dict(decl.args)
    args.update(site.args)
    return Attrs(noundef=decl.noundef or site.noundef, range=site.range or decl.range,
                 nofpclass=decl.nofpclass | site.nofpclass,
                 other=list(dict.fromkeys(decl.other + site.other)), args=args)


def _arguments(ctx, instr: Instr, callee: Function):
    """The argument lanes (with the declaration's and the call site's
    attributes applied), for the target whether each lane is undef, which
    lanes are pointers, and the local blocks passed (index, escapes past
    the call)."""
    args: list[Lane] = []
    undefs: list[z3.BoolRef] = []
    params: list[str | None] = []   # where an undef argument comes from (_undef_source)
    pointers: list[int] = []
    passed: list[tuple[int, bool]] = []
    promises: list[frozenset[str]] = []
    for k, (operand, site) in enumerate(zip(instr.operands, instr.extra["arg_attrs"])):
        attrs = _merged(callee.params[k].attrs, site)
        for attr in attrs.other:
            if attr not in CALLEE_PROMISES:
                raise Unsupported(f"attribute {attr} on a call to @{callee.name}")
        if attrs.nofpclass:
            raise Unsupported(f"attribute nofpclass on an argument of a call to @{callee.name}")
        promises.append(frozenset(a if a not in attrs.args else f"{a}({attrs.args[a]})"
                                  for a in attrs.other if a in PROMISES))
        val = ctx.op(k)
        if POINTER_ATTRS & set(attrs.other):
            if not isinstance(val, Lane):
                raise Unsupported(f"pointer attributes on a vector argument of @{callee.name}")
            val = constrain_pointer(ctx, val, attrs)   # a broken nonnull or align: poison
        if attrs.noundef:   # poison (the above included) or undef passed: UB
            ctx.add_ub(z3.Or([lane.p for lane in lanes(val)] + [ctx.undef_dependence(operand)]))
        if has_pointer(operand.type):
            if not isinstance(operand.type.scalar(), PtrType):
                raise Unsupported(f"an aggregate holding pointers passed to @{callee.name}")
            pointers += range(len(args), len(args) + len(lanes(val)))
            kept = not ("nocapture" in attrs.other or attrs.args.get("captures") == "none")
            for lane in lanes(val):
                bid = z3.simplify(bid_of(lane.v))
                passed += [(i, kept) for i in range(len(ctx.memory.locals))
                           if addresses.may(ctx, z3.And(z3.Not(lane.p), bid == local_bid(i)))]
        # an undef argument refines only a poison one of the source (the
        # callee may see it change), or the same parameter, passed as is
        # (the same undef): kept with each lane for matching
        undef = ctx.undef_dependence(operand) if ctx.side != "src" else F
        args += lanes(val)
        undefs += [undef] * len(lanes(val))
        params += [_undef_source(ctx.fn, operand)] * len(lanes(val))
    return args, (undefs, params), pointers, passed, promises


def _undef_source(fn: Function, operand) -> str | None:
    """An undef target argument refines the source's if that one is all of
    undef (the constant) or the very same undef (the same parameter of the
    caller, passed as is)."""
    if isinstance(operand, UndefConst):
        return "undef"
    if isinstance(operand, LocalRef) and operand.name in {p.name for p in fn.params}:
        return f"param {[p.name for p in fn.params].index(operand.name)}"
    return None


def _region(places: frozenset[str], escaped: list[int], pointers: list[Lane]) -> Region:
    """The blocks a call may read (or write): the caller's and the escaped
    locals (`other`), else those its pointer arguments point to (`argmem`)."""
    if "other" in places:
        return visible(escaped)
    if "arg" in places:
        return lambda bid: z3.Or([z3.And(z3.Not(p.p), bid == bid_of(p.v)) for p in pointers] or [F])
    return nothing


def _chooses(ctx, name: str, args: list[Lane], effects: Effects) -> bool:
    """Do the call's arguments depend on the source's own choices (undef,
    freeze)? Then its outputs are functions of them (table.output). A memory
    state that depends on them is refused: it has no finite key."""
    if effects.reads:
        rows = table_of(ctx.inputs).rows
        for w in ctx.memory.writes:
            if isinstance(w, Havoc):   # an earlier call: its outputs chosen too, or its path
                chosen = rows[w.entry.as_long()].key is not None or _varies(ctx, w.guard)
            else:
                chosen = any(_chosen(t) for t in (w.guard, w.bid, w.off, w.byte))
            if chosen:
                raise Unsupported(f"a call to @{name} reading memory the source chooses "
                                  "(undef or freeze)")
    return any(_chosen(t) for lane in args for t in (lane.v, lane.p))


def _varies(ctx, term: z3.ExprRef) -> bool:
    """Can `term` differ between two executions of the source that reach
    this call with no UB so far and agree on everything but the source's own
    choices? (An earlier call's path condition on a maybe-undef argument
    does not: the branch is then UB, or both take it the same way.)
    Unknown counts as yes."""
    if not _chosen(term):
        return False
    defined = z3.And(ctx.reach, z3.Not(z3.Or(ctx.ub_terms))) if ctx.ub_terms else ctx.reach
    choices = {str(c): c for c in free_constants(z3.And(defined, term == term))
               if str(c).startswith("src:")}
    other = [(c, z3.Const(f"{name}'", c.sort())) for name, c in choices.items()]
    check = z3.Solver()
    check.set("timeout", 5000)
    check.add(ctx.inputs.memory.precondition(), defined, z3.substitute(defined, *other),
              term != z3.substitute(term, *other))
    return check.check() != z3.unsat


def _chosen(term: z3.ExprRef) -> bool:
    return any(str(c).startswith("src:") for c in free_constants(term))


def _new_row(ctx, table: CallTable, name: str, effects: Effects, args: list[Lane], instr: Instr,
             callee: Function, reads: Region, private: str | None, pointers: list[int]) -> Row:
    sizes = {i: b.size for i, b in enumerate(ctx.memory.locals)}
    row = Row(len(table.rows), name, effects, args, len(ctx.memory.writes), None, F, F, {},
              reads=reads, private=private, pointers=pointers, local_sizes=sizes)
    if _chooses(ctx, name, args, effects):
        state = table.fresh(f"call:{name}#{row.index}:state", 16) if effects.reads \
            else z3.BitVecVal(0, 16)   # the memory it reads, up to equality (table.add_row)
        row.key = [z3.If(a.p, z3.BitVecVal(0, a.v.size()), a.v) for a in args] + \
            [a.p for a in args] + [state]
    noundef = instr.extra["ret_attrs"].noundef or callee.ret_attrs.noundef
    if not isinstance(instr.type, VoidType):
        row.ret = _fresh_result(table, row, instr.type, noundef)
    row.ub = table.output(row, "ub")
    row.noreturn = T if effects.noreturn else F if effects.willreturn else \
        table.output(row, "noreturn")
    if effects.frees:   # argument blocks and returned blocks (not null, not globals)
        shared = ctx.inputs.memory
        globals_ = set(shared.global_bids.values())
        row.freed = {i: table.output(row, f"freed{i}") for i in range(1, len(shared.blocks))
                     if i not in globals_}
    return row


def _fresh_result(table: CallTable, row: Row, ty: Type, noundef: bool) -> SVal:
    if isinstance(ty, PtrType):
        return _fresh_pointer(table, row, noundef)
    if has_pointer(ty):
        raise Unsupported(f"a call returning {ty}")
    count = [0]

    def leaf(t) -> Lane:
        count[0] += 1
        v = table.output(row, f"ret{count[0]}", t.width)
        return Lane(v, F if noundef else table.output(row, f"ret{count[0]}poison"))
    return shape(ty, leaf)


def _fresh_pointer(table: CallTable, row: Row, noundef: bool) -> Lane:
    """Into some non-local block, maybe one reserved for this call (memory
    only the callee knows of), at any offset."""
    if table.next_result_block >= len(table.result_blocks):
        raise Unsupported("a call returning a pointer inside a loop")
    table.next_result_block += 1
    ptr = table.output(row, "ret", PTR_BITS)
    bid = bid_of(ptr)
    table.shared.pre.append(z3.And(z3.Not(is_local(bid)),
                                   z3.ULT(bid, z3.BitVecVal(len(table.shared.blocks), BID_BITS))))
    return Lane(ptr, F if noundef else table.output(row, "retpoison"))


def _matched(ctx, table: CallTable, name: str, effects: Effects, args: list[Lane],
             undefs: tuple[list[z3.BoolRef], list[str | None]], promises: list[frozenset[str]],
             ret_type: Type) -> _Outputs:
    rows = [r for r in table.rows if r.name == name and r.effects.kind == effects.kind
            and all(t <= s for t, s in zip(promises, r.promises))]
    src_memory = ctx.inputs.memory.sides.get("src")
    upto = len(ctx.memory.writes)
    sizes = {i: b.size for i, b in enumerate(ctx.memory.locals)}
    matches = [table.match(r, args, undefs, src_memory, ctx.memory, upto, sizes) for r in rows]
    ctx.add_ub(z3.Not(z3.Or(matches)) if matches else T)   # a call the source never makes
    if not rows:
        ret = None if isinstance(ret_type, VoidType) else \
            shape(ret_type, lambda t: poison_lane(t.width))
        return _Outputs(ret, F, F, z3.BitVecVal(0, ENTRY_BITS), lambda b, o: _poison_byte(),
                        lambda i: F)

    picks = matches
    if len(rows) > 1:   # which matching source call: chosen in the source's favour (Alive2)
        choice = z3.BitVec(f"src:callchoice!{len(ctx.angelic_vars)}:{ctx.side}", ENTRY_BITS)
        ctx.angelic_vars.append(choice)
        picks = [z3.And(choice == k, m) for k, m in enumerate(matches)] + matches

    def pick(get):
        """The outputs of the source call chosen, else of the first matched
        (any, if none is)."""
        value = get(rows[-1])
        for r, m in reversed(list(zip(rows + rows, picks))[:-1]):
            value = z3.If(m, get(r), value) if isinstance(value, z3.ExprRef) else ite(m, get(r), value)
        return value
    ret = None if isinstance(ret_type, VoidType) else pick(lambda r: r.ret)
    return _Outputs(ret, pick(lambda r: r.ub), pick(lambda r: r.noreturn), pick(lambda r: r.entry),
                    lambda b, o: pick(lambda r: table.byte(r, b, o)),
                    lambda i: pick(lambda r: r.freed.get(i, F)))


def _poison_byte() -> z3.BitVecRef:
    from veriopt.translation.ir_smt.memory.byte import POISON_BYTE
    return POISON_BYTE
