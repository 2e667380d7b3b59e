"""Expressions: constants, variables, casts, `?:`, unary operators,
assignment. Each `e_<Node>` method returns the node's value (`IntV`,
`PtrV`, or None for void) and records the UB its evaluation may have."""
from __future__ import annotations

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_smt.state import Frame, guarded, select
from veriopt.translation.c_types import ArrT, IntT, VoidT
from veriopt.translation.c_values import (IntV, PtrV, Value, bv, char_value, convert,
                                          int_literal)


class ExpressionMixin:
    """Part of `Executor`: expressions other than binary operators and memory."""

    # -- constants
    def const_int(self, node: c_ast.Node) -> int | None:
        val = z3.simplify(self.const_value(node).v)
        return val.as_signed_long() if z3.is_bv_value(val) else None

    def const_value(self, node: c_ast.Node) -> IntV:
        """Evaluate an integer constant expression (case labels, array sizes)."""
        if not self.frames:
            self.frames.append(Frame("<const>", T.INT, z3.BoolVal(True)))
            try:
                return self.const_value(node)
            finally:
                self.frames.pop()
        before = len(self.ub_reasons)
        val = self.int_value(self.expr(node), node)
        if not z3.is_bv_value(z3.simplify(val.v)) or len(self.ub_reasons) != before:
            raise Unsupported("non-constant expression where a constant is required", node)
        return val

    def e_Constant(self, node: c_ast.Constant) -> IntV:
        if node.type == "char":
            return IntV(T.INT, bv(char_value(node.value, node), 32))
        if node.type == "string":
            raise Unsupported("string literal", node)
        if node.type in ("float", "double", "long double"):
            raise Unsupported("floating-point constant", node)
        return int_literal(node.value, node)

    # -- expressions
    def expr(self, node: c_ast.Node) -> Value | None:
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"expression {type(node).__name__}", node)
        return method(node)

    def int_value(self, val: Value | None, node: c_ast.Node) -> IntV:
        if not isinstance(val, IntV):
            raise Unsupported("pointer used as an integer" if val is not None
                              else "use of a void value", node)
        return val

    def truth(self, val: Value | None, node: c_ast.Node) -> z3.BoolRef:
        if isinstance(val, PtrV):
            return z3.simplify(val.addr != 0)
        val = self.int_value(val, node)
        return z3.simplify(val.v != 0)

    def e_ID(self, node: c_ast.ID) -> Value:
        var = self.lookup(node.name, node)
        if isinstance(var.t, ArrT):
            return var.value
        self.ub(z3.Not(var.init), f"read of uninitialised variable '{node.name}'", node)
        return var.value

    def e_ExprList(self, node: c_ast.ExprList) -> Value | None:
        val = None
        for e in node.exprs:
            val = self.expr(e)
        return val

    def e_Cast(self, node: c_ast.Cast) -> Value | None:
        t = self.types.read(node.to_type)
        val = self.expr(node.expr)
        if isinstance(t, VoidT):
            return None
        if isinstance(t, IntT) and isinstance(val, PtrV):
            raise Unsupported("pointer to integer cast", node)
        return self.coerce(val, t, node)

    def e_TernaryOp(self, node: c_ast.TernaryOp) -> Value | None:
        cond = self.truth(self.expr(node.cond), node.cond)
        f = self.frame
        saved = f.pc
        f.pc = z3.simplify(z3.And(saved, cond))
        a = self.expr(node.iftrue)
        f.pc = z3.simplify(z3.And(saved, z3.Not(cond)))
        b = self.expr(node.iffalse)
        f.pc = saved
        if isinstance(a, IntV) and isinstance(b, IntV):
            ct = T.common_type(a.t, b.t)
            return IntV(ct, z3.simplify(z3.If(cond, convert(a, ct).v, convert(b, ct).v)))
        if a is None and b is None:
            return None
        if isinstance(a, PtrV) and not isinstance(b, PtrV):
            b = self.coerce(b, a.t, node)
        elif isinstance(b, PtrV) and not isinstance(a, PtrV):
            a = self.coerce(a, b.t, node)
        if not (isinstance(a, PtrV) and isinstance(b, PtrV)):
            raise Unsupported("use of a void value", node)
        return select(cond, a, b, a.t)

    def e_UnaryOp(self, node: c_ast.UnaryOp) -> Value | None:
        op = node.op
        if op == "sizeof":
            return self.sizeof(node.expr)
        if op in ("++", "--", "p++", "p--"):
            return self.incdec(node)
        if op == "&":
            return self.address_of(node.expr)
        if op == "*":
            ptr = self.expr(node.expr)
            if not isinstance(ptr, PtrV):
                raise Unsupported("dereference of a non-pointer", node)
            return self.load(ptr, node)
        val = self.expr(node.expr)
        if op == "!":
            return IntV(T.INT, z3.If(self.truth(val, node), bv(0, 32), bv(1, 32)))
        val = self.int_value(val, node)
        pt = T.promote(val.t)
        v = convert(val, pt).v
        if op == "+":
            return IntV(pt, v)
        if op == "~":
            return IntV(pt, ~v)
        if op == "-":
            if pt.signed:
                self.ub(v == bv(pt.min(), pt.bits), "signed integer overflow in unary '-'", node)
            return IntV(pt, z3.simplify(-v))
        raise Unsupported(f"unary operator '{op}'", node)

    def sizeof(self, arg: c_ast.Node) -> IntV:
        if isinstance(arg, c_ast.Typename):
            t = self.types.read(arg, array_dim=self.const_int)
        elif isinstance(arg, c_ast.ID):
            t = self.lookup(arg.name, arg).t
        else:
            raise Unsupported("sizeof of an expression", arg)
        return IntV(T.SIZE_T, bv(t.size, 64))

    def address_of(self, node: c_ast.Node) -> PtrV:
        ptr = self.memory_ptr(node)
        if ptr is not None:
            return ptr
        if isinstance(node, c_ast.ID):
            var = self.lookup(node.name, node)
            if isinstance(var.t, ArrT):
                return var.value
        raise Unsupported("address of a scalar variable", node)

    def incdec(self, node: c_ast.UnaryOp) -> Value:
        delta = 1 if "+" in node.op else -1
        old = self.expr(node.expr)
        if isinstance(old, PtrV):
            new = self.ptr_add(old, IntV(T.LONG, bv(delta, 64)), node)
        else:
            one = IntV(T.INT, bv(1, 32))
            new = self.arith("+" if delta > 0 else "-", old, one, node)
        stored = self.assign_to(node.expr, new, node)
        return old if node.op.startswith("p") else stored

    def e_Assignment(self, node: c_ast.Assignment) -> Value:
        rhs = self.expr(node.rvalue)
        if node.op == "=":
            return self.assign_to(node.lvalue, rhs, node)
        old = self.expr(node.lvalue)
        op = node.op[:-1]
        if isinstance(old, PtrV) and op in ("+", "-"):
            rv = self.int_value(rhs, node)
            if op == "-":
                rv = self.arith("-", IntV(T.LONG, bv(0, 64)), convert(rv, T.LONG), node)
            new = self.ptr_add(old, rv, node)
        else:
            new = self.binary(op, old, rhs, node)
        return self.assign_to(node.lvalue, new, node)

    def assign_to(self, lhs: c_ast.Node, val: Value | None, node: c_ast.Node) -> Value:
        if isinstance(lhs, c_ast.ID):
            alive = self.var_guard()
            var = self.lookup(lhs.name, lhs)
            if isinstance(var.t, ArrT):
                raise Unsupported("assignment to an array", node)
            new = self.coerce(val, var.t, node)
            var.value = guarded(alive, new, var.value)
            var.init = z3.simplify(z3.Or(var.init, alive))
            return new
        ptr = self.lvalue_ptr(lhs)
        new = self.coerce(val, ptr.t.elem, node)
        self.store(ptr, new, node)
        return new
