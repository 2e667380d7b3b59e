"""Attributes and metadata: the ones with no meaning for the integer
semantics of a function body are ignored, the rest refused as unsupported
rather than silently dropped; `range` turns an out-of-range value into
poison.
"""
from __future__ import annotations

import re

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Attrs, Function, Instr
from veriopt.ir.types import unsupported_type
from veriopt.translation.ir_smt.memory.attributes import POINTER_PARAM_ATTRS, RETURN_ATTRS
from veriopt.translation.ir_smt.values import Lane, SVal, map_lanes

# Attributes with no meaning for the integer semantics of a function body.
BENIGN_FN_ATTRS = {"nounwind", "willreturn", "mustprogress", "nofree", "nosync", "norecurse",
                   "speculatable", "null_pointer_is_valid", "uwtable", "noinline", "optnone",
                   "cold", "hot", "nocallback", "readnone", "readonly", "noreturn", "minsize",
                   "optsize", "alwaysinline", "inlinehint", "nomerge", "noduplicate",
                   "local_unnamed_addr", "unnamed_addr", "dso_local", "sanitize_address",
                   "nocf_check", "noimplicitfloat", "noredzone", "ssp", "sspreq", "sspstrong"}
BENIGN_VALUE_ATTRS = {"zeroext", "signext", "inreg", "noundef"}
# Metadata that does not change what an instruction computes (!range,
# !noundef and the like do: they are refused, not ignored).
BENIGN_METADATA = {"dbg", "prof", "tbaa", "tbaa.struct", "alias.scope", "noalias", "llvm.loop",
                   "annotation", "srcloc", "unpredictable", "llvm.access.group", "pcsections",
                   "heapallocsite", "nosanitize", "DIAssignID", "mmra", "irr_loop"}


# String attributes that change FP semantics (denormal flushing, fast-math
# assumptions); only their default values are the IEEE semantics modelled.
FP_ENV_ATTR = re.compile(r'"(denormal-fp-math[-a-z0-9]*|[a-z-]*fp-math)"')
DEFAULT_FP_ENV = {'"ieee,ieee"', '"ieee"', '"false"', '""'}


def check_attributes(fn: Function) -> None:
    """Refuse attributes whose meaning we do not model, rather than ignore them."""
    for attr in fn.fn_attrs:
        name = attr.split("(")[0]
        if FP_ENV_ATTR.match(attr) and attr.split("=")[-1] not in DEFAULT_FP_ENV:
            raise Unsupported(f"function attribute {attr} on @{fn.name}")
        if name in BENIGN_FN_ATTRS or name == "memory" or attr.startswith('"') \
                or name.startswith("#") or name == "uwtable":
            continue
        raise Unsupported(f"function attribute {attr} on @{fn.name}")
    for where, attrs in [("return", fn.ret_attrs)] + [(f"%{p.name}", p.attrs) for p in fn.params]:
        for attr in attrs.other:
            if attr not in BENIGN_VALUE_ATTRS and attr not in (
                    RETURN_ATTRS if where == "return" else POINTER_PARAM_ATTRS):
                raise Unsupported(f"attribute {attr} on {where} of @{fn.name}")


def require_modelled_types(instr: Instr, where: str) -> None:
    """Refuse an instruction with an operand or result type we do not model."""
    for ty in [op.type for op in instr.operands] + [instr.type]:
        if str(ty) == "metadata":   # an intrinsic's metadata argument (read by its builder)
            continue
        reason = unsupported_type(ty)
        if reason:
            raise Unsupported(f"{reason} in {where}")


def apply_range(val: SVal, attrs: Attrs) -> SVal:
    """A `range(lo, hi)` attribute: a value outside [lo, hi) is poison."""
    if attrs.range is None:
        return val
    lo, hi = attrs.range

    def lane(x: Lane) -> Lane:
        w = x.v.size()
        lo_v, hi_v = z3.BitVecVal(lo % (1 << w), w), z3.BitVecVal(hi % (1 << w), w)
        # [lo, hi) wrapping: x - lo <u hi - lo
        inside = z3.ULT(x.v - lo_v, hi_v - lo_v)
        return Lane(x.v, z3.Or(x.p, z3.Not(inside)))
    return map_lanes(lane, val)
