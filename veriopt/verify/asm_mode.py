"""`--tgt-is-asm` (alive-tv's flag): the target is lifted assembly, and
Alive2 gives it its "asm" memory model: memory holds no poison, an integer
load of a pointer's bytes reads its address, a pointer out of its block
reaches the block at that address, pointers and integers compare bytes by
address (Alive2's `Byte::refined`, `Pointer::isDereferenceable` in asm
mode). Each of these makes the target *more* defined than the same code
read as IR, so the target as IR refines the target as asm: a proof that
the IR target refines the source is a proof for the asm target too
(refinement is transitive). A refutation is not: the asm target may be
defined where the IR one is not, so it is reported `unknown`, never
`incorrect`.

One rule of the asm model goes the other way: a store of a value whose
width is not a multiple of 8 bits is UB in asm (Alive2: "there are no
sub-byte accesses in assembly"); a target with one is refused.
"""
from __future__ import annotations

from dataclasses import replace

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Function
from veriopt.ir.types import ArrayType, FloatType, IntType, StructType, Type, VectorType
from veriopt.translation.ir_smt import Encoding
from veriopt.translation.ir_smt.encoding import fresh_name
from veriopt.translation.ir_smt.values import Lane, map_lanes
from veriopt.verify import verdict as V


def _sub_byte(ty: Type) -> bool:
    if isinstance(ty, IntType):
        return ty.width % 8 != 0
    if isinstance(ty, VectorType):
        elem = ty.elem
        width = getattr(elem, "width", 0) if isinstance(elem, (IntType, FloatType)) else 0
        return (ty.count * width) % 8 != 0 if width else _sub_byte(elem)
    if isinstance(ty, ArrayType):
        return _sub_byte(ty.elem)
    if isinstance(ty, StructType):
        return any(_sub_byte(f) for f in ty.fields)
    return False


def check_target(tgt: Function) -> None:
    """Refuse what the asm model makes less defined than IR."""
    for instr in tgt.instructions():
        if instr.opcode == "store" and _sub_byte(instr.operands[0].type):
            raise Unsupported("--tgt-is-asm with a store of a value that is not whole bytes")


def settle(verdict: V.Verdict) -> V.Verdict:
    """A refutation of the IR target does not refute the asm target."""
    if verdict.status is V.Status.INCORRECT:
        return V.Verdict.unknown(f"--tgt-is-asm: the target as IR does not refine the source "
                                 f"({verdict.error}), the asm target may (not refuted)")
    return verdict


def defined_result(enc: Encoding) -> Encoding:
    """Alive2: there is no poison (nor undef) in assembly; a poison result
    of the target is some value, an undef one too (which one: the target's
    choice, as its undef values already are)."""
    if enc.ret is None:
        return enc
    fresh: list = []

    def lane(x: Lane) -> Lane:
        v = z3.BitVec(fresh_name("tgt:asmret"), x.v.size())
        fresh.append(v)
        return Lane(z3.If(x.p, v, x.v), z3.BoolVal(False))
    return replace(enc, ret=map_lanes(lane, enc.ret), nondet_vars=enc.nondet_vars + fresh,
                   ret_undef_vars=())
