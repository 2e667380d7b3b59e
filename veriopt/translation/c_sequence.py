"""Refuse expressions whose meaning depends on an unsequenced side effect.

`i++ + i` or `a[i] = i++` are undefined in C (C11 6.5p2), and the symbolic
executor evaluates left to right: modelling them as defined could call a
target correct although it has UB. This conservative check makes any full
expression that modifies a variable (or writes through an array/pointer name)
as a nested side effect *and* mentions that name again, or modifies it
twice, `unsupported`. `x = x + 1`, `x += x`, `a[i] = a[i] * 2` and
`s += a[i++]` are fine: a top-level assignment is sequenced after its
operands.
"""
from __future__ import annotations

from collections import Counter

from pycparser import c_ast

from veriopt.errors import Unsupported

_SEQUENCED = ("&&", "||")


def _base(node: c_ast.Node) -> str | None:
    """The variable an lvalue writes: `x`, `a` of `a[i]`, `p` of `*p` / `*(p + 1)`."""
    while True:
        if isinstance(node, c_ast.ID):
            return node.name
        if isinstance(node, c_ast.ArrayRef):
            node = node.name
        elif isinstance(node, c_ast.UnaryOp) and node.op == "*":
            node = node.expr
        elif isinstance(node, c_ast.BinaryOp) and node.op in ("+", "-"):
            node = node.left
        elif isinstance(node, c_ast.Cast):
            node = node.expr
        else:
            return None


class _Region:
    """Side effects and uses in one unsequenced region of a full expression."""

    def __init__(self) -> None:
        self.mods: Counter[str] = Counter()
        self.uses: Counter[str] = Counter()
        self.top: str | None = None


def check_full_expression(expr: c_ast.Node | None) -> None:
    if expr is None:
        return
    region = _Region()
    if isinstance(expr, c_ast.Assignment):
        # The store of a top-level (compound) assignment is sequenced after
        # the reads of both operands, so its target may appear in them.
        region.top = _base(expr.lvalue)
        if region.top:
            region.mods[region.top] += 1
        _walk_lvalue(expr.lvalue, region)
        _walk(expr.rvalue, region)
    else:
        _walk(expr, region)
    for name, count in region.mods.items():
        nested = count - (1 if name == region.top else 0)
        others = region.uses[name]
        if count > 1 or (nested and others):
            raise Unsupported(f"unsequenced modification of '{name}'", expr)


def _walk_lvalue(node: c_ast.Node, region: _Region) -> None:
    """Subexpressions of an lvalue (subscripts, pointer arithmetic) are reads."""
    if isinstance(node, c_ast.ArrayRef):
        _walk_lvalue(node.name, region)
        _walk(node.subscript, region)
    elif isinstance(node, c_ast.UnaryOp) and node.op == "*":
        _walk_lvalue(node.expr, region)
    elif isinstance(node, c_ast.BinaryOp):
        _walk_lvalue(node.left, region)
        _walk(node.right, region)
    elif isinstance(node, c_ast.Cast):
        _walk_lvalue(node.expr, region)


def _walk(node: c_ast.Node | None, region: _Region) -> None:
    if node is None:
        return
    if isinstance(node, c_ast.BinaryOp) and node.op in _SEQUENCED:
        check_full_expression(node.left)
        check_full_expression(node.right)
        return
    if isinstance(node, c_ast.TernaryOp):
        for part in (node.cond, node.iftrue, node.iffalse):
            check_full_expression(part)
        return
    if isinstance(node, c_ast.ExprList):
        for part in node.exprs:
            check_full_expression(part)
        return
    if isinstance(node, c_ast.Assignment):
        name = _base(node.lvalue)
        if name:
            region.mods[name] += 1
        _walk_lvalue(node.lvalue, region)
        _walk(node.rvalue, region)
        return
    if isinstance(node, c_ast.UnaryOp) and node.op in ("++", "--", "p++", "p--"):
        name = _base(node.expr)
        if name:
            region.mods[name] += 1
        _walk_lvalue(node.expr, region)
        return
    if isinstance(node, c_ast.UnaryOp) and node.op == "sizeof":
        return
    if isinstance(node, c_ast.ID):
        region.uses[node.name] += 1
        return
    if isinstance(node, c_ast.FuncCall):
        if node.args is not None:
            for arg in node.args.exprs:
                _walk(arg, region)
        return
    for _, child in node.children():
        _walk(child, region)


class _Statements(c_ast.NodeVisitor):
    """Finds every full expression of a function body."""

    def visit_FuncDef(self, node: c_ast.FuncDef) -> None:
        self.visit(node.body)

    def visit_Compound(self, node: c_ast.Compound) -> None:
        for item in node.block_items or []:
            self._statement(item)

    def _statement(self, node: c_ast.Node) -> None:
        if isinstance(node, (c_ast.Assignment, c_ast.UnaryOp, c_ast.BinaryOp, c_ast.FuncCall,
                             c_ast.ExprList, c_ast.TernaryOp, c_ast.Cast, c_ast.ArrayRef,
                             c_ast.ID, c_ast.Constant)):
            check_full_expression(node)
        elif isinstance(node, c_ast.Decl):
            if node.init is not None and not isinstance(node.init, c_ast.InitList):
                check_full_expression(node.init)
        elif isinstance(node, c_ast.DeclList):
            for decl in node.decls:
                self._statement(decl)
        elif isinstance(node, c_ast.Return):
            check_full_expression(node.expr)
        elif isinstance(node, c_ast.If):
            check_full_expression(node.cond)
            for branch in (node.iftrue, node.iffalse):
                if branch is not None:
                    self._statement(branch)
        elif isinstance(node, (c_ast.While, c_ast.DoWhile)):
            check_full_expression(node.cond)
            self._statement(node.stmt)
        elif isinstance(node, c_ast.For):
            if isinstance(node.init, c_ast.DeclList):
                self._statement(node.init)
            else:
                check_full_expression(node.init)
            check_full_expression(node.cond)
            check_full_expression(node.next)
            self._statement(node.stmt)
        elif isinstance(node, c_ast.Switch):
            check_full_expression(node.cond)
            self._statement(node.stmt)
        elif isinstance(node, (c_ast.Case, c_ast.Default)):
            for s in node.stmts or []:
                self._statement(s)
        elif isinstance(node, c_ast.Compound):
            self.visit_Compound(node)


def check_function(fn: c_ast.FuncDef) -> None:
    """Raise Unsupported at the first unsequenced side effect in `fn`."""
    _Statements().visit(fn)
