"""Binary operators with C's integer semantics: the usual arithmetic
conversions, signed overflow, division by zero, shifts out of range, and
pointer arithmetic and comparison."""
from __future__ import annotations

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_values import IntV, PtrV, Value, bv, cast_bits, compare, convert, sext1


class OperatorMixin:
    """Part of `Executor`: `e_BinaryOp` and what it needs."""

    def e_BinaryOp(self, node: c_ast.BinaryOp) -> Value:
        op = node.op
        if op in ("&&", "||"):
            return self.logical(node)
        left = self.expr(node.left)
        right = self.expr(node.right)
        return self.binary(op, left, right, node)

    def logical(self, node: c_ast.BinaryOp) -> IntV:
        a = self.truth(self.expr(node.left), node.left)
        f = self.frame
        saved = f.pc
        f.pc = z3.simplify(z3.And(saved, a if node.op == "&&" else z3.Not(a)))
        b = self.truth(self.expr(node.right), node.right)
        f.pc = saved
        res = z3.And(a, b) if node.op == "&&" else z3.Or(a, b)
        return IntV(T.INT, z3.simplify(z3.If(res, bv(1, 32), bv(0, 32))))

    def binary(self, op: str, left: Value | None, right: Value | None, node: c_ast.Node) -> Value:
        if isinstance(left, PtrV) or isinstance(right, PtrV):
            return self.pointer_binary(op, left, right, node)
        left = self.int_value(left, node)
        right = self.int_value(right, node)
        if op in ("<<", ">>"):
            return self.shift(op, left, right, node)
        if op in ("<", "<=", ">", ">=", "==", "!="):
            ct = T.common_type(left.t, right.t)
            return compare(op, convert(left, ct).v, convert(right, ct).v, ct.signed)
        return self.arith(op, left, right, node)

    def arith(self, op: str, left: IntV, right: IntV, node: c_ast.Node) -> IntV:
        ct = T.common_type(left.t, right.t)
        a, b = convert(left, ct).v, convert(right, ct).v
        w, s = ct.bits, ct.signed
        if op == "+":
            if s:
                self.ub(sext1(a) + sext1(b) != sext1(a + b), "signed integer overflow in '+'", node)
            return IntV(ct, z3.simplify(a + b))
        if op == "-":
            if s:
                self.ub(sext1(a) - sext1(b) != sext1(a - b), "signed integer overflow in '-'", node)
            return IntV(ct, z3.simplify(a - b))
        if op == "*":
            if s:
                wide = z3.SignExt(w, a) * z3.SignExt(w, b)
                self.ub(wide != z3.SignExt(w, a * b), "signed integer overflow in '*'", node)
            return IntV(ct, z3.simplify(a * b))
        if op in ("/", "%"):
            self.ub(b == 0, f"division by zero in '{op}'", node)
            if s:
                self.ub(z3.And(a == bv(ct.min(), w), b == bv(-1, w)),
                        f"signed integer overflow in '{op}' (INT_MIN / -1)", node)
                res = a / b if op == "/" else z3.SRem(a, b)
            else:
                res = z3.UDiv(a, b) if op == "/" else z3.URem(a, b)
            return IntV(ct, z3.simplify(res))
        if op == "&":
            return IntV(ct, z3.simplify(a & b))
        if op == "|":
            return IntV(ct, z3.simplify(a | b))
        if op == "^":
            return IntV(ct, z3.simplify(a ^ b))
        raise Unsupported(f"binary operator '{op}'", node)

    def shift(self, op: str, left: IntV, right: IntV, node: c_ast.Node) -> IntV:
        lt = T.promote(left.t)
        rt = T.promote(right.t)
        a = convert(left, lt).v
        r = convert(right, rt).v
        w = lt.bits
        too_big = z3.UGE(r, w) if not rt.signed else z3.Or(r < 0, r >= w)
        what = "negative shift amount or shift by >= width"
        self.ub(too_big, f"{what} in '{op}'", node)
        amount = cast_bits(r, rt, lt) if rt.bits >= w else z3.ZeroExt(w - rt.bits, r)
        if op == "<<":
            if lt.signed:
                self.ub(a < 0, "left shift of a negative value", node)
                safe_amount = z3.If(z3.ULT(amount, w), amount, bv(0, w))
                lost = z3.LShR(a, bv(w - 1, w) - safe_amount) != 0
                self.ub(z3.And(a >= 0, lost), "signed integer overflow in '<<'", node)
            return IntV(lt, z3.simplify(a << amount))
        res = (a >> amount) if lt.signed else z3.LShR(a, amount)
        return IntV(lt, z3.simplify(res))

    def pointer_binary(self, op: str, left: Value | None, right: Value | None,
                       node: c_ast.Node) -> Value:
        if op == "+" and isinstance(left, PtrV) and isinstance(right, IntV):
            return self.ptr_add(left, right, node)
        if op == "+" and isinstance(right, PtrV) and isinstance(left, IntV):
            return self.ptr_add(right, left, node)
        if op == "-" and isinstance(left, PtrV) and isinstance(right, IntV):
            neg = self.arith("-", IntV(T.LONG, bv(0, 64)), convert(right, T.LONG), node)
            return self.ptr_add(left, neg, node)
        if isinstance(left, IntV) or isinstance(right, IntV):
            other = left if isinstance(left, IntV) else right
            ptr = right if isinstance(left, IntV) else left
            if op in ("==", "!=") and z3.is_bv_value(z3.simplify(other.v)):
                null = self.coerce(other, ptr.t, node)
                left, right = (null, ptr) if isinstance(left, IntV) else (ptr, null)
            else:
                raise Unsupported(f"'{op}' between a pointer and an integer", node)
        if op == "-":
            self.ub(left.lo != right.lo, "subtraction of pointers into different objects", node)
            diff = left.addr - right.addr
            return IntV(T.PTRDIFF_T, z3.simplify(diff / left.t.elem.size))
        if op in ("<", "<=", ">", ">=", "==", "!="):
            return compare(op, left.addr, right.addr, False)
        raise Unsupported(f"'{op}' on pointers", node)
