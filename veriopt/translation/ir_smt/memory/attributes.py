"""Pointer parameter attributes (LangRef, as Alive2 reads them):
`nonnull` and `align N` make a violating argument poison (UB with
`noundef`); `dereferenceable(N)` and `dereferenceable_or_null(N)` make it UB
at entry; `captures(none)`/`nocapture`, `readonly`, `writeonly`, `readnone`
are promises about what the body does, accepted where the body visibly
keeps them and refused otherwise (their violation would be UB, which is
not modelled yet): no pointer returned, or passed to a call that may
keep it; no store (load) through a pointer based on the argument, by the
body or by a callee it is passed to. Comparing the pointer is
no violation (alive-tv: `icmp eq` of a `captures(none)` argument is a plain
comparison). Anything else on a pointer is refused.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Function, LocalRef, Param
from veriopt.ir.types import PtrType
from veriopt.translation.ir_smt.memory.pointers import bid_of, has_pointer, off_of
from veriopt.translation.ir_smt.values import Lane, SVal

POINTER_PARAM_ATTRS = {"nonnull", "align", "dereferenceable", "dereferenceable_or_null",
                       "nocapture", "captures", "readonly", "writeonly", "readnone"}


DERIVING = ("getelementptr", "select", "phi", "freeze", "bitcast")


def _based_on(fn: Function, name: str) -> set[str]:
    """The values based on argument `name` (LangRef's "based on", as far as
    instructions that compute a pointer from a pointer go)."""
    based = {name}
    grew = True
    while grew:
        grew = False
        for i in fn.instructions():
            if i.name and i.name not in based and i.opcode in DERIVING and any(
                    isinstance(o, LocalRef) and o.name in based for o in i.operands):
                based.add(i.name)
                grew = True
    return based


def _body_does(fn: Function, name: str) -> dict[str, bool]:
    """What the body does with argument `name`: store or load through a
    pointer based on it, capture it (return it, call, ptrtoint)."""
    based = _based_on(fn, name)
    out = {"store": False, "load": False,
           "capture": has_pointer(fn.ret_type) or any(i.opcode == "ptrtoint" for i in fn.instructions())}
    for i in fn.instructions():
        if i.opcode == "call" and not i.extra.get("callee", "").startswith("llvm."):
            for kind, done in _call_does(fn, i, based).items():
                out[kind] = out[kind] or done
        callee = i.extra.get("callee", "") if i.opcode == "call" else ""
        reads = [i.operands[0]] if i.opcode == "load" else \
            [i.operands[1]] if callee.startswith(("llvm.memcpy", "llvm.memmove")) else []
        writes = [i.operands[1]] if i.opcode == "store" else \
            [i.operands[0]] if callee.startswith(("llvm.memcpy", "llvm.memmove", "llvm.memset")) \
            else []
        for kind, ptrs in (("load", reads), ("store", writes)):
            if any(isinstance(p, LocalRef) and p.name in based for p in ptrs):
                out[kind] = True
        stored = i.operands[0] if i.opcode == "store" else None
        if isinstance(stored, LocalRef) and stored.name in based:
            # the pointer itself goes to memory: captured, and what is loaded
            # back is based on it too (not followed): assume every access
            out["capture"] = out["load"] = out["store"] = True
    return out


def _call_does(fn: Function, call, based: set[str]) -> dict[str, bool]:
    """What a call to a declared function may do through the pointers
    `based` on an argument it is passed (LangRef: writes by the callee
    through other pointers are not the caller's): by the callee's parameter
    attributes and memory effects; an indirect call may do anything."""
    callee = fn.functions.get(call.extra.get("callee", ""))
    if callee is None:
        return {"store": True, "load": True, "capture": True}
    attrs_of = call.extra.get("fn_attrs", []) + callee.fn_attrs
    may_read = not any(a in ("readnone", "writeonly", "memory(none)", "memory(write)")
                       for a in attrs_of)
    may_write = not any(a in ("readnone", "readonly", "memory(none)", "memory(read)")
                        for a in attrs_of)
    out = {"store": False, "load": False, "capture": False}
    for k, (operand, site) in enumerate(zip(call.operands, call.extra["arg_attrs"])):
        if not (isinstance(operand, LocalRef) and operand.name in based):
            continue
        decl = callee.params[k].attrs if k < len(callee.params) else site
        given = set(site.other) | set(decl.other)
        captures = {site.args.get("captures"), decl.args.get("captures")}
        out["store"] |= may_write and not given & {"readonly", "readnone"}
        out["load"] |= may_read and not given & {"writeonly", "readnone"}
        out["capture"] |= "nocapture" not in given and "none" not in captures
    return out


def _aligned(ctx, ptr: z3.BitVecRef, align: int) -> z3.BoolRef:
    if align <= 1:
        return z3.BoolVal(True)
    is_null = ptr == 0
    return z3.Or(is_null, z3.And(z3.URem(off_of(ptr), z3.BitVecVal(align, 64)) == 0,
                                 ctx.memory.block_aligned(bid_of(ptr), align)))


RETURN_ATTRS = {"nonnull", "align", "dereferenceable", "dereferenceable_or_null"}


def ret_attrs(ctx, val: SVal) -> SVal:
    """`nonnull`/`align` on the returned pointer make a violating result
    poison; `dereferenceable(_or_null)` make it UB."""
    attrs = ctx.fn.ret_attrs
    handled = [a for a in attrs.other if a in RETURN_ATTRS]
    if not handled:
        return val
    if not isinstance(val, Lane):
        raise Unsupported(f"attribute {handled[0]} on a returned aggregate")
    return constrain_pointer(ctx, val, attrs)


def constrain_pointer(ctx, val: Lane, attrs) -> Lane:
    handled = attrs.other
    ptr, poison = val.v, val.p
    if "nonnull" in handled:
        poison = z3.Or(poison, ptr == 0)
    if "align" in handled:
        poison = z3.Or(poison, z3.Not(_aligned(ctx, ptr, int(attrs.args["align"]))))
    for attr in ("dereferenceable", "dereferenceable_or_null"):
        if attr in handled:
            n = int(attrs.args[attr])
            ok = z3.And(z3.Not(poison), ctx.memory.accessible(ptr, n, 1)) if n else z3.BoolVal(True)
            if attr == "dereferenceable_or_null":
                ok = z3.Or(ok, z3.And(z3.Not(poison), ptr == 0))
            ctx.add_ub(z3.Not(ok))
    return Lane(ptr, poison)


def param_attrs(ctx, param: Param, val: SVal) -> SVal:
    """The argument as this side sees it, with UB at entry where the caller
    broke a promise."""
    attrs = param.attrs
    handled = [a for a in attrs.other if a in POINTER_PARAM_ATTRS]
    if not handled:
        return val
    if not isinstance(param.type, PtrType) or not isinstance(val, Lane):
        raise Unsupported(f"attribute {handled[0]} on %{param.name}")
    if "null_pointer_is_valid" in ctx.fn.fn_attrs:
        raise Unsupported("null_pointer_is_valid with pointer attributes")
    does = _body_does(ctx.fn, param.name)
    for attr in handled:
        promise = {"nocapture": "capture", "captures": "capture", "readonly": "store",
                   "writeonly": "load"}.get(attr)
        if attr == "captures" and attrs.args.get("captures") != "none":
            promise = "capture"
        if attr == "readnone" and (does["load"] or does["store"]):
            raise Unsupported(f"attribute readnone on %{param.name} (not visibly kept)")
        if promise and does[promise]:
            raise Unsupported(f"attribute {attr} on %{param.name} (not visibly kept)")
    return constrain_pointer(ctx, val, attrs)
