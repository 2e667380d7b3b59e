"""Statements: blocks and declarations (local arrays become fresh memory
objects), `return`, `if`, `break`/`continue`, `switch`. Both arms of an
`if` run, one after the other, under exclusive path conditions."""
from __future__ import annotations

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_inputs import MemObject, disjoint, placement
from veriopt.translation.c_types import ArrT, IntT, PtrT, VoidT
from veriopt.translation.c_values import ADDR, IntV, PtrV, Var, bv, convert

LOCAL_ARRAY_LIMIT = 4096  # bytes of a local array we track initialisation of


class StatementMixin:
    """Part of `Executor`: one `s_<Node>` method per statement kind."""

    def stmt(self, node: c_ast.Node | None) -> None:
        if node is None:
            return
        method = getattr(self, "s_" + type(node).__name__, None)
        if method is None:
            if isinstance(node, (c_ast.Goto, c_ast.Label)):
                raise Unsupported("goto", node)
            raise Unsupported(f"statement {type(node).__name__}", node)
        method(node)

    def s_Compound(self, node: c_ast.Compound) -> None:
        self.frame.scopes.append({})
        try:
            for item in node.block_items or []:
                self.stmt(item)
        finally:
            self.frame.scopes.pop()

    def s_EmptyStatement(self, node: c_ast.Node) -> None:
        return

    def s_DeclList(self, node: c_ast.DeclList) -> None:
        for decl in node.decls:
            self.s_Decl(decl)

    def s_Decl(self, node: c_ast.Decl) -> None:
        if isinstance(node.type, c_ast.FuncDecl):
            return  # a local prototype declares nothing we model
        if "static" in (node.storage or []) or "extern" in (node.storage or []):
            raise Unsupported(f"{node.storage[0]} local variable '{node.name}'", node)
        if node.name is None:
            raise Unsupported("declaration without a name", node)
        t = self.types.read(node.type, array_dim=self.const_int)
        if isinstance(t, VoidT):
            raise Unsupported("void variable", node)
        if isinstance(t, ArrT):
            self.local_array(node, t)
            return
        var = Var(t, None, z3.BoolVal(False))
        if node.init is not None:
            if isinstance(node.init, c_ast.InitList):
                raise Unsupported("initialiser list for a scalar", node)
            var.value = self.coerce(self.expr(node.init), t, node)
            var.init = z3.BoolVal(True)
        elif isinstance(t, IntT):
            var.value = IntV(t, bv(0, t.bits))
        else:
            zero = bv(0, ADDR)
            var.value = PtrV(t, zero, zero, zero)
        self.frame.scopes[-1][node.name] = var

    def local_array(self, node: c_ast.Decl, t: ArrT) -> None:
        self.allocate(node, t)

    def allocate(self, node: c_ast.Decl, t: ArrT, readonly: bool = False) -> MemObject:
        """A fresh array object, disjoint from all others, bound to its name."""
        if not isinstance(t.elem, IntT):
            raise Unsupported(f"array of '{t.elem.name}'", node)
        if t.size > LOCAL_ARRAY_LIMIT:
            raise Unsupported(f"local array larger than {LOCAL_ARRAY_LIMIT} bytes", node)
        self.local_count += 1
        base = z3.BitVec(f"{self.prefix}.{node.name}.{self.local_count}.base", ADDR)
        obj = MemObject(node.name, t.elem, base, bv(t.length, ADDR))
        self.assumptions += placement(obj)
        self.assumptions += [disjoint(obj, other) for other in self.objects]
        self.objects.append(obj)
        ptr = PtrV(PtrT(t.elem), base, base, base + t.size)
        values: list[IntV | None] = [None] * t.length
        if isinstance(node.init, c_ast.InitList):
            if len(node.init.exprs) > t.length:
                raise Unsupported("too many initialisers", node)
            values = [IntV(t.elem, bv(0, t.elem.bits))] * t.length
            for i, e in enumerate(node.init.exprs):
                if isinstance(e, (c_ast.InitList, c_ast.NamedInitializer)):
                    raise Unsupported("nested or designated initialiser", e)
                values[i] = convert(self.int_value(self.expr(e), e), t.elem)
        elif node.init is not None:
            raise Unsupported("array initialiser", node)
        if values and values[0] is None:
            self.mem.mark_uninitialised(base, base + t.size, self.alive())
        for i, val in enumerate(values):
            if val is not None:
                self.store_raw(base + i * t.elem.size, val)
        self.frame.scopes[-1][node.name] = Var(t, ptr, z3.BoolVal(True))
        return obj

    def s_Return(self, node: c_ast.Return) -> None:
        f = self.frame
        alive = self.local_alive()
        if node.expr is not None:
            val = self.expr(node.expr)
            if not isinstance(f.ret_t, IntT):
                if val is not None:
                    raise Unsupported("returning a value from a void function", node)
            else:
                val = self.coerce(val, f.ret_t, node)
                f.retval = z3.If(alive, val.v, f.retval)
        elif isinstance(f.ret_t, IntT):
            self.ub(z3.BoolVal(True), "return without a value", node)
        f.ret = z3.simplify(z3.Or(f.ret, alive))

    def s_If(self, node: c_ast.If) -> None:
        cond = self.truth(self.expr(node.cond), node.cond)
        f = self.frame
        saved = f.pc
        f.pc = z3.simplify(z3.And(saved, cond))
        self.stmt(node.iftrue)
        f.pc = z3.simplify(z3.And(saved, z3.Not(cond)))
        self.stmt(node.iffalse)
        f.pc = saved

    def s_Break(self, node: c_ast.Break) -> None:
        f = self.frame
        if not f.breakable:
            raise Unsupported("break outside a loop or switch", node)
        target = f.breakable[-1]
        if target is None:                      # leaves the switch
            f.brk = z3.simplify(z3.Or(f.brk, self.var_guard()))
            return
        leaving = z3.simplify(z3.And(self.var_guard(), target.stay))
        target.leave(leaving)
        target.stay = z3.simplify(z3.And(target.stay, z3.Not(leaving)))

    def s_Continue(self, node: c_ast.Continue) -> None:
        if not self.frame.loops:
            raise Unsupported("continue outside a loop", node)
        self.frame.cont = z3.simplify(z3.Or(self.frame.cont, self.var_guard()))


    def s_Switch(self, node: c_ast.Switch) -> None:
        val = self.int_value(self.expr(node.cond), node.cond)
        val = convert(val, T.promote(val.t))
        items = node.stmt.block_items if isinstance(node.stmt, c_ast.Compound) else [node.stmt]
        labels = self._flatten_cases(items or [])
        consts = [convert(self.const_value(lab.expr), val.t).v
                  for lab, _ in labels if isinstance(lab, c_ast.Case)]
        f = self.frame
        saved_brk, saved_pc = f.brk, f.pc
        # Paths that already broke out of an enclosing switch do not run this one.
        entry = z3.simplify(z3.And(saved_pc, z3.Not(saved_brk)))
        f.brk = z3.BoolVal(False)
        f.breakable.append(None)
        matched = z3.BoolVal(False)
        try:
            for label, stmts in labels:
                if isinstance(label, c_ast.Case):
                    hit = val.v == convert(self.const_value(label.expr), val.t).v
                else:
                    hit = z3.Not(z3.Or([val.v == k for k in consts])) if consts else z3.BoolVal(True)
                matched = z3.simplify(z3.Or(matched, hit))
                f.pc = z3.simplify(z3.And(entry, matched))
                for s in stmts:
                    self.stmt(s)
        finally:
            f.breakable.pop()
            f.pc = saved_pc
            f.brk = saved_brk

    def _flatten_cases(self, items: list[c_ast.Node]) -> list[tuple[c_ast.Node, list[c_ast.Node]]]:
        out: list[tuple[c_ast.Node, list[c_ast.Node]]] = []
        for item in items:
            if isinstance(item, (c_ast.Case, c_ast.Default)):
                stmts: list[c_ast.Node] = []
                out.append((item, stmts))
                for s in item.stmts or []:
                    if isinstance(s, (c_ast.Case, c_ast.Default)):
                        out.extend(self._flatten_cases([s]))
                        stmts = out[-1][1]
                    else:
                        stmts.append(s)
            elif out:
                out[-1][1].append(item)
            else:
                raise Unsupported("statement before the first case label", item)
        return out

    def s_Case(self, node: c_ast.Node) -> None:
        raise Unsupported("case label inside a nested statement", node)

    s_Default = s_Case

    def s_Pragma(self, node: c_ast.Node) -> None:
        return

    # expressions used as statements
    def _expr_stmt(self, node: c_ast.Node) -> None:
        self.expr(node)

    s_Assignment = s_UnaryOp = s_FuncCall = s_BinaryOp = s_ExprList = s_TernaryOp = _expr_stmt
    s_ID = s_Constant = s_Cast = s_ArrayRef = _expr_stmt
