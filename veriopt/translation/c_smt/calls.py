"""Function calls: inlining a call to a function of the file (its frame,
its parameters converted as by assignment), builtins, and the assignment
conversion (C11 6.5.16.1) a call and a `return` apply."""
from __future__ import annotations

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation.c_builtins import BUILTINS
from veriopt.translation.c_inputs import read_params, return_type
from veriopt.translation.c_sequence import check_function
from veriopt.translation.c_smt.state import Frame
from veriopt.translation.c_types import CType, IntT, PtrT, VoidT
from veriopt.translation.c_values import ADDR, IntV, PtrV, Value, Var, bv, convert


class CallMixin:
    """Part of `Executor`: calls and conversions."""

    def call(self, fn: c_ast.FuncDef, args: list[Value], outer: z3.BoolRef,
             node: c_ast.Node) -> IntV | None:
        name = fn.decl.name
        if any(f.fn == name for f in self.frames):
            raise Unsupported(f"recursive call to '{name}'", node)
        params = read_params(self.program, fn)
        ret_t = return_type(self.program, fn)
        if len(params) != len(args):
            raise Unsupported(f"call to '{name}' with {len(args)} arguments for {len(params)}", node)
        check_function(fn)
        frame = Frame(name, ret_t, z3.BoolVal(True), outer)
        if isinstance(ret_t, IntT):
            frame.retval = bv(0, ret_t.bits)
        for (pname, ptype), arg in zip(params, args):
            frame.scopes[0][pname] = Var(ptype, self.coerce(arg, ptype, node), z3.BoolVal(True))
        self.frames.append(frame)
        try:
            self.stmt(fn.body)
            if isinstance(ret_t, IntT):
                self.ub(z3.BoolVal(True), f"'{name}' ends without returning a value", fn.body)
        finally:
            self.frames.pop()
        if isinstance(ret_t, IntT):
            return IntV(ret_t, z3.simplify(frame.retval))
        return None

    def coerce(self, val: Value | None, t: CType, node: c_ast.Node) -> Value:
        """Assignment conversion of `val` to type `t` (C11 6.5.16.1)."""
        if val is None:
            raise Unsupported("use of a void value", node)
        if isinstance(t, IntT):
            if isinstance(val, PtrV):
                raise Unsupported("pointer to integer conversion", node)
            return convert(val, t)
        if isinstance(t, PtrT):
            if isinstance(val, IntV):
                if z3.is_bv_value(z3.simplify(val.v)) and z3.simplify(val.v).as_long() == 0:
                    zero = bv(0, ADDR)
                    return PtrV(t, zero, zero, zero)
                raise Unsupported("integer to pointer conversion", node)
            if val.t.elem.size != t.elem.size and not isinstance(val.t.elem, VoidT):
                raise Unsupported(f"conversion from '{val.t.name}' to '{t.name}'", node)
            return PtrV(t, val.addr, val.lo, val.hi)
        raise Unsupported(f"value of type '{t.name}'", node)


    def e_FuncCall(self, node: c_ast.FuncCall) -> Value | None:
        if not isinstance(node.name, c_ast.ID):
            raise Unsupported("call through a function pointer", node)
        name = node.name.name
        arg_nodes = node.args.exprs if node.args else []
        builtin = BUILTINS.get(name)
        if builtin is not None and name not in self.program.functions:
            args = [self.expr(a) for a in arg_nodes]
            return builtin(self, args, node)
        if name not in self.program.functions:
            raise Unsupported(f"call to '{name}' (not defined in the file)", node)
        args = [self.expr(a) for a in arg_nodes]
        return self.call(self.program.functions[name], args, self.alive(), node)
