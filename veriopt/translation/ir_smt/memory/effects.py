"""Memory effects of the function being verified: `memory(...)` and the
older `readnone`/`readonly`/`writeonly`/`argmemonly`/... attributes. An
access they forbid is UB (LangRef); locals are always allowed, constants may
always be read.
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.memory.pointers import bid_of, is_local
from veriopt.translation.ir_smt.values import Lane

KINDS = {"none": set(), "read": {"read"}, "write": {"write"}, "readwrite": {"read", "write"}}
# old-style function attributes: what they allow on argument memory
OLD_STYLE = {"readnone": set(), "readonly": {"read"}, "writeonly": {"write"},
             "argmemonly": {"read", "write"}, "inaccessiblememonly": set(),
             "inaccessiblemem_or_argmemonly": {"read", "write"}}


def memory_effects(fn) -> tuple[set[str], set[str]]:
    """What the function may do to argument memory and to other memory
    (globals), from `memory(...)`, `readonly`, ... Doing more is UB
    (LangRef); reading a constant is always allowed."""
    argmem, other = {"read", "write"}, {"read", "write"}
    for attr in fn.fn_attrs:
        name = attr.split("(")[0]
        if name in OLD_STYLE:
            argmem &= OLD_STYLE[name]
            other &= OLD_STYLE[name] if name in ("readnone", "readonly", "writeonly") else set()
        elif name == "memory":
            default, arg = {"read", "write"}, None
            for item in attr[len("memory("):-1].replace(" ", "").split(","):
                loc, _, kind = item.rpartition(":")
                if kind not in KINDS:
                    raise Unsupported(f"function attribute {attr}")
                if not loc:
                    default = KINDS[kind]
                elif loc == "argmem":
                    arg = KINDS[kind]
            argmem &= default if arg is None else arg
            other &= default
    return argmem, other


def effects_ub(ctx, ptr: Lane, write: bool) -> None:
    """UB where the access breaks the function's memory effects."""
    kind = "write" if write else "read"
    argmem, other = memory_effects(ctx.fn)
    if kind in argmem and kind in other:
        return
    shared = ctx.inputs.memory
    if shared.global_bids and (kind in argmem) != (kind in other):
        raise Unsupported("memory(...) that treats arguments and globals apart")
    bid = bid_of(ptr.v)
    allowed = is_local(bid)
    if not write:   # constants may always be read
        allowed = z3.Or([allowed] + [bid == b for b in shared.global_bids.values()
                                     if z3.is_false(shared.blocks[b].writable)])
    ctx.add_ub(z3.Not(allowed))
