"""The pair of C functions being compared, their signature, and how their
integer values are written in counterexamples.

Both the symbolic check (`c_equiv`) and concrete execution
(`concrete/`, `fuzz`) need these; keeping them here lets neither import
the other.
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from veriopt.errors import BadInput
from veriopt.translation.c_frontend import CProgram
from veriopt.translation.c_inputs import read_params, return_type
from veriopt.translation.c_types import CType, IntT, PtrT


@dataclass
class Pair:
    """Which function of which file is the source and which the target."""

    src_path: str
    src_fn: str
    tgt_path: str
    tgt_fn: str


def signature(prog: CProgram, fn: str) -> tuple[list[tuple[str, CType]], CType]:
    """(parameters, return type) of function `fn` of `prog`."""
    node = prog.function(fn)
    return read_params(prog, node), return_type(prog, node)


def plain_type(t: CType) -> CType:
    """A parameter type without `restrict`: the inputs follow the source's contract,
    so a `restrict` only the target adds is checked against aliasing inputs."""
    return PtrT(t.elem) if isinstance(t, PtrT) else t


def common_signature(src_prog: CProgram, tgt_prog: CProgram, pair: Pair
                     ) -> tuple[list[tuple[str, CType]], CType]:
    """The source's signature, after checking the target has the same one
    (but for `restrict`); BadInput if not."""
    src_params, src_ret = signature(src_prog, pair.src_fn)
    tgt_params, tgt_ret = signature(tgt_prog, pair.tgt_fn)
    if [plain_type(t) for _, t in src_params] != [plain_type(t) for _, t in tgt_params] \
            or src_ret != tgt_ret:
        raise BadInput(f"'{pair.src_fn}' and '{pair.tgt_fn}' have different signatures",
                       pair.tgt_path)
    return src_params, src_ret


def model_int(model: z3.ModelRef, term: z3.BitVecRef) -> int:
    """The value of `term` in `model`, as an unsigned integer."""
    return model.eval(term, model_completion=True).as_long()


def to_signed(bits: int, width: int) -> int:
    return bits - (1 << width) if bits >> (width - 1) else bits


def format_int(bits: int, t: IntT) -> str:
    """A value of type `t` for people: decimal, and hex too when that helps."""
    value = to_signed(bits, t.bits) if t.signed else bits
    if t.bits >= 16 and abs(value) > 9:
        return f"{value} (0x{bits:x})"
    return str(value)
