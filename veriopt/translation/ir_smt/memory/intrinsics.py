"""`llvm.memset`, `llvm.memcpy`, `llvm.memmove` with constant sizes,
`llvm.ptrmask`, and `bitcast` between pointer types. A variable size is `unsupported` (the
bytes touched would be unbounded).
"""
from __future__ import annotations

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Instr, IntConst
from veriopt.ir.types import PtrType
from veriopt.translation.ir_smt.memory.instructions import check_access
from veriopt.translation.ir_smt.memory.byte import int_byte
from veriopt.translation.ir_smt.memory.pointer_bytes import check_copied
from veriopt.translation.ir_smt.memory import addresses
from veriopt.translation.ir_smt.memory.pointers import OFF_BITS, bid_of, is_local, make_ptr, off_of
from veriopt.translation.ir_smt.registry import OPCODES, intrinsic, opcode
from veriopt.translation.ir_smt.values import Lane

MAX_BYTES = 256
# pointer attributes a memory intrinsic's arguments may carry (read by the builders)
CALL_ATTRS = {"align", "noalias", "nocapture", "captures", "readonly", "writeonly"}


def handles_call_attr(callee: str, attr: str) -> bool:
    return callee.startswith(("llvm.memset", "llvm.memcpy", "llvm.memmove")) and attr in CALL_ATTRS


def _size(instr: Instr, k: int) -> int:
    size = instr.operands[k]
    if not isinstance(size, IntConst):
        raise Unsupported(f"{instr.extra['callee']} with a variable size")
    n = size.value % (1 << size.type.width)
    if n > MAX_BYTES:
        raise Unsupported(f"{instr.extra['callee']} of more than {MAX_BYTES} bytes")
    return n


def _volatile(instr: Instr, k: int) -> None:
    flag = instr.operands[k]
    if not (isinstance(flag, IntConst) and flag.value == 0):
        raise Unsupported(f"volatile {instr.extra['callee']}")


def _align(instr: Instr, k: int) -> int:
    attrs = instr.extra["arg_attrs"][k]
    return int(attrs.args.get("align", 1)) if "align" in attrs.other else 1


def _access(ctx, ptr: Lane, n: int, align: int, write: bool) -> None:
    check_access(ctx, ptr, n, align, write)
    if n and ctx.instr.extra.get("tail"):
        # LangRef: a `tail` callee does not access the caller's allocas
        ctx.add_ub(is_local(bid_of(ptr.v)))


@intrinsic("llvm.memset")
def _memset(ctx, instr: Instr):
    """memset(p, v, n): n bytes of v (poison if v is)."""
    n = _size(instr, 2)
    _volatile(instr, 3)
    ptr, val = ctx.op(0), ctx.op(1)
    _access(ctx, ptr, n, _align(instr, 0), True)
    poison = z3.If(val.p, z3.BitVecVal(0xFF, 8), z3.BitVecVal(0, 8))
    byte = int_byte(z3.Concat(z3.BitVecVal(8, 24), poison, val.v))   # written as bytes: width 8, #0
    ctx.memory.write(ctx.reach, ptr.v, [byte] * n)


@intrinsic("llvm.memcpy", "llvm.memmove", "llvm.memcpy.inline")
def _memcpy(ctx, instr: Instr):
    """Copy n bytes as they are; memcpy's ranges must be equal or disjoint
    (LangRef; UB otherwise)."""
    n = _size(instr, 2)
    _volatile(instr, 3)
    dst, src = ctx.op(0), ctx.op(1)
    _access(ctx, dst, n, _align(instr, 0), True)
    _access(ctx, src, n, _align(instr, 1), False)
    if n:
        check_copied(ctx, dst)
    if n and not instr.extra["callee"].startswith("llvm.memmove"):
        same = bid_of(dst.v) == bid_of(src.v)
        a, b = off_of(dst.v), off_of(src.v)
        apart = z3.Or(z3.ULE(a + n, b), z3.ULE(b + n, a), a == b)   # equal or disjoint
        ctx.add_ub(z3.And(same, z3.Not(apart)))
    data = ctx.memory.read(src.v, n)
    ctx.memory.write(ctx.reach, dst.v, data)


_int_bitcast = OPCODES["bitcast"]


@opcode("bitcast")
def _bitcast(ctx, instr: Instr):
    """A pointer cast to a pointer type is the same pointer."""
    if isinstance(instr.type.scalar(), PtrType) and isinstance(
            instr.operands[0].type.scalar(), PtrType):
        if instr.type != instr.operands[0].type:
            raise Unsupported(f"bitcast from {instr.operands[0].type} to {instr.type}")
        return ctx.op(0)
    return _int_bitcast(ctx, instr)


@intrinsic("llvm.ptrmask")
def _ptrmask(ctx, instr: Instr):
    """The pointer whose address is the address `& mask`, in the same block
    (Alive2's `maskOffset`): poison if either operand is."""
    if not isinstance(instr.type, PtrType):
        raise Unsupported("llvm.ptrmask on a vector")
    ptr, mask = ctx.op(0), ctx.op(1)
    if mask.v.size() != OFF_BITS:
        raise Unsupported(f"llvm.ptrmask with an i{mask.v.size()} mask")
    addr = addresses.address(ctx.memory, ptr.v, True)
    off = off_of(ptr.v) + ((addr & mask.v) - addr)
    return Lane(make_ptr(bid_of(ptr.v), off), z3.Or(ptr.p, mask.p))
