"""Memory access: the pointer an lvalue designates, pointer arithmetic
(leaving the object is UB), loads and stores with their bounds,
initialisation and const checks, over the `c_memory` model."""
from __future__ import annotations

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation.c_inputs import in_object
from veriopt.translation.c_types import IntT, VoidT
from veriopt.translation.c_values import IntV, PtrV, Value, cast_bits


class MemoryAccessMixin:
    """Part of `Executor`: `a[i]`, `*p`, loads and stores."""

    def lvalue_ptr(self, node: c_ast.Node) -> PtrV:
        ptr = self.memory_ptr(node)
        if ptr is None:
            raise Unsupported(f"assignment to {type(node).__name__}", node)
        return ptr

    def memory_ptr(self, node: c_ast.Node) -> PtrV | None:
        """The pointer an `a[i]` or `*p` designates; None for other nodes."""
        if isinstance(node, c_ast.ArrayRef):
            return self.element_ptr(node)
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            ptr = self.expr(node.expr)
            if isinstance(ptr, PtrV):
                return ptr
        return None

    def element_ptr(self, node: c_ast.ArrayRef) -> PtrV:
        base = self.expr(node.name)
        idx = self.expr(node.subscript)
        if isinstance(idx, PtrV) and isinstance(base, IntV):
            base, idx = idx, base
        if not isinstance(base, PtrV):
            raise Unsupported("subscript of a non-pointer", node)
        return self.ptr_add(base, self.int_value(idx, node), node)

    def e_ArrayRef(self, node: c_ast.ArrayRef) -> Value:
        return self.load(self.element_ptr(node), node)

    # -- memory
    def ptr_add(self, ptr: PtrV, idx: IntV, node: c_ast.Node) -> PtrV:
        """Pointer arithmetic; leaving [lo, hi] (one past the end allowed) is UB."""
        if isinstance(ptr.t.elem, VoidT):
            raise Unsupported("arithmetic on void pointer", node)
        size = ptr.t.elem.size
        wide_idx = cast_bits(idx.v, idx.t, IntT(128, idx.t.signed, 9, "i128"))
        wide = z3.ZeroExt(64, ptr.addr) + wide_idx * size
        self.ub(z3.Or(z3.ULT(wide, z3.ZeroExt(64, ptr.lo)), z3.UGT(wide, z3.ZeroExt(64, ptr.hi))),
                "pointer arithmetic out of bounds", node)
        return PtrV(ptr.t, z3.simplify(z3.Extract(63, 0, wide)), ptr.lo, ptr.hi)

    def check_access(self, ptr: PtrV, node: c_ast.Node) -> None:
        size = ptr.t.elem.size
        oob = z3.Or(z3.ULT(ptr.addr, ptr.lo), z3.UGT(ptr.addr + size, ptr.hi),
                    z3.ULT(ptr.addr + size, ptr.addr))
        self.ub(oob, "out-of-bounds memory access", node)

    def load(self, ptr: PtrV, node: c_ast.Node) -> IntV:
        t = ptr.t.elem
        if not isinstance(t, IntT):
            raise Unsupported(f"load of '{t.name}'", node)
        self.check_access(ptr, node)
        self.ub(z3.Not(self.mem.initialised(ptr.addr, t.size)),
                "read of uninitialised array element", node)
        raw = self.mem.load(ptr.addr, t.size)
        if t.is_bool:
            self.ub(z3.UGT(raw, 1), "load of a _Bool holding neither 0 nor 1", node)
        return IntV(t, z3.simplify(raw))

    def store(self, ptr: PtrV, val: IntV, node: c_ast.Node) -> None:
        if isinstance(ptr.t.elem, VoidT):
            raise Unsupported("store through void pointer", node)
        self.check_access(ptr, node)
        if self.readonly:
            self.ub(z3.Or([in_object(ptr.addr, o) for o in self.readonly]),
                    "write to a const object", node)
        self.store_raw(ptr.addr, val)

    def store_raw(self, addr: z3.BitVecRef, val: IntV) -> None:
        self.mem.store(z3.simplify(addr), val.t.size, val.v, self.alive())
