"""Whether a function touches memory at all: the memory model (blocks,
bytes, the final-memory query) is built only for functions that do, so a
verify of integer code neither imports nor encodes it. Also why induction
leaves a function to the bounded check (it compares values, not memory).
"""
from __future__ import annotations

from veriopt.ir.model import Function
from veriopt.translation.ir_smt.memory.pointers import has_pointer as _has_ptr

MEMORY_OPCODES = {"load", "store", "alloca", "getelementptr", "fence", "atomicrmw", "cmpxchg",
                  "ptrtoint", "inttoptr", "va_arg"}


def memory_use(fn: Function) -> str | None:
    """The first thing in `fn` that reads or writes memory or handles a
    pointer (an argument, a result, an operand, inside a constant
    expression too), or calls a function that is not an intrinsic; None
    when there is nothing."""
    if any(_has_ptr(p.type) for p in fn.params):
        return "a pointer argument"
    if _has_ptr(fn.ret_type):
        return "a pointer result"
    for instr in fn.instructions():
        if instr.opcode in MEMORY_OPCODES:
            return f"instruction {instr.opcode}"
        callee = str(instr.extra.get("callee", ""))
        if instr.opcode == "call" and (not callee.startswith("llvm.") or callee.startswith("llvm.mem")):
            return f"call to @{callee}"
        if _has_ptr(instr.type):
            return "a pointer value"
        values = list(instr.operands) + [v for _, vs in instr.extra.get("bundles", ()) for v in vs]
        while values:   # operands, and the operands of constant expressions
            value = values.pop()
            if _has_ptr(value.type):
                return "a pointer value"
            values += getattr(value, "operands", ())
    return None

