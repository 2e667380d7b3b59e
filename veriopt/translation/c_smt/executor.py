"""The entry: `Executor` runs one function of a program symbolically on
given inputs and returns its `Outcome`.

It is assembled from one mixin per stage (statements, loops, expressions,
memory access, operators, calls); this module holds what they all share:
the run's state, the guards every effect is predicated on, UB recording
and name lookup, and the file's const globals.
"""
from __future__ import annotations

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_frontend import CProgram
from veriopt.translation.c_inputs import Inputs, MemObject
from veriopt.translation.c_memory import Memory
from veriopt.translation.c_smt.calls import CallMixin
from veriopt.translation.c_smt.expressions import ExpressionMixin
from veriopt.translation.c_smt.loops import LoopMixin
from veriopt.translation.c_smt.memory_access import MemoryAccessMixin
from veriopt.translation.c_smt.operators import OperatorMixin
from veriopt.translation.c_smt.state import Frame, Outcome
from veriopt.translation.c_smt.statements import StatementMixin
from veriopt.translation.c_types import ArrT, CType, IntT
from veriopt.translation.c_values import Var

_TRUE = z3.BoolVal(True)
_FALSE = z3.BoolVal(False)


class Executor(StatementMixin, LoopMixin, ExpressionMixin, MemoryAccessMixin, OperatorMixin,
               CallMixin):
    """Runs one function of a program symbolically on given inputs."""

    def __init__(self, program: CProgram, unroll: int, prefix: str,
                 deadline: float | None = None):
        self.program = program
        self.deadline = deadline
        self.unroll = unroll
        self.prefix = prefix
        self.types = T.TypeReader(program.ast)
        self.ub_reasons: list[tuple[z3.BoolRef, str]] = []
        self.unwind: z3.BoolRef = z3.BoolVal(False)
        self.assumptions: list[z3.BoolRef] = []
        self.frames: list[Frame] = []
        self.mem: Memory | None = None
        self.objects: list[MemObject] = []
        self.local_count = 0
        self.loops = 0
        self.deepenable = False
        self.limits: list[int] = []          # unroll limits of the loops being unrolled
        self._guard_cache: dict[str, tuple[list, z3.BoolRef]] = {}
        self.globals: dict[str, Var] = {}
        self.readonly: list[MemObject] = []
        self.global_decls = self._const_globals()

    def _const_globals(self) -> list[c_ast.Decl]:
        """File-scope `const` objects with initialisers (lookup tables, constants).

        Mutable globals are state shared between calls: not modelled.
        """
        decls = []
        for node in self.program.ast.ext:
            if not isinstance(node, c_ast.Decl) or isinstance(node.type, c_ast.FuncDecl):
                continue
            if "const" not in _quals(node.type) or node.init is None:
                raise Unsupported(f"global variable '{node.name}'", node)
            decls.append(node)
        return decls

    def _define_globals(self) -> None:
        self.frames.append(Frame("<globals>", T.INT, z3.BoolVal(True)))
        try:
            for node in self.global_decls:
                t = self._global_type(node)
                if isinstance(t, ArrT):
                    obj = self.allocate(node, t, readonly=True)
                    self.globals[node.name] = self.frame.scopes[0].pop(node.name)
                    self.readonly.append(obj)
                elif isinstance(t, IntT):
                    val = self.coerce(self.const_value(node.init), t, node)
                    self.globals[node.name] = Var(t, val, z3.BoolVal(True))
                else:
                    raise Unsupported(f"global '{node.name}' of type '{t.name}'", node)
        finally:
            self.frames.pop()

    def _global_type(self, node: c_ast.Decl) -> CType:
        if (isinstance(node.type, c_ast.ArrayDecl) and node.type.dim is None
                and isinstance(node.init, c_ast.InitList)):
            elem = self.types.read(node.type.type)
            return ArrT(elem, len(node.init.exprs))
        return self.types.read(node.type, array_dim=self.const_int)

    # -- entry
    def run(self, fn_name: str, inputs: Inputs) -> Outcome:
        fn = self.program.function(fn_name)
        self.mem = Memory(inputs.mem, word_mode=len({o.elem.size for o in inputs.objects}) <= 1)
        self.objects = list(inputs.objects)
        self._define_globals()
        ret = self.call(fn, inputs.values, z3.BoolVal(True), fn)
        ub = z3.simplify(z3.Or([c for c, _ in self.ub_reasons])) if self.ub_reasons else z3.BoolVal(False)
        return Outcome(ret, ub, self.ub_reasons, z3.simplify(self.unwind), self.mem,
                       self.assumptions, self.loops, self.deepenable)

    # -- state helpers
    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    def var_guard(self) -> z3.BoolRef:
        """When an assignment to a scalar variable takes effect: on the path, not
        broken or continued past. Paths that returned, left a loop or stopped
        at an unroll limit may update variables freely: nothing reads them
        there, and a loop's exits restore the values its leavers had."""
        f = self.frame
        return self._conjoin("var", [f.pc], [f.brk, f.cont])

    def local_alive(self) -> z3.BoolRef:
        """Control reaches this point of the current function (its caller aside)."""
        f = self.frame
        return self._conjoin("local", [f.pc] + [lp.stay for lp in f.loops],
                             [f.ret, f.brk, f.cont])

    def alive(self) -> z3.BoolRef:
        """Control really reaches this point: the guard of every effect."""
        return self._conjoin("alive", [self.local_alive(), self.frame.outer], [self.unwind])

    def _conjoin(self, key: str, pos: list[z3.BoolRef], neg: list[z3.BoolRef]) -> z3.BoolRef:
        """simplify(And(pos + [Not(n) for n in neg])), remembered while the parts
        stay the same Python objects (a loop body asks for its guards at every
        operation; the frame's fields are replaced, never mutated, on change)."""
        raw = pos + neg
        last = self._guard_cache.get(key)
        if last is not None and len(last[0]) == len(raw) \
                and all(a is b for a, b in zip(last[0], raw)):
            return last[1]
        result = self._conjunction(pos, neg)
        self._guard_cache[key] = (raw, result)   # holds `raw`, so the identities stay valid
        return result

    @staticmethod
    def _conjunction(pos: list[z3.BoolRef], neg: list[z3.BoolRef]) -> z3.BoolRef:
        parts = []
        for p in pos:
            if z3.is_false(p):
                return _FALSE
            if not z3.is_true(p):
                parts.append(p)
        for n in neg:
            if z3.is_true(n):
                return _FALSE
            if not z3.is_false(n):
                parts.append(z3.Not(n))
        if not parts:
            return _TRUE
        if len(parts) == 1 and not z3.is_not(parts[0]):
            return parts[0]
        return z3.simplify(z3.And(parts))

    def ub(self, cond: z3.BoolRef, what: str, node: c_ast.Node | None) -> None:
        line = getattr(getattr(node, "coord", None), "line", None)
        cond = z3.simplify(cond)
        if z3.is_false(cond):
            return
        guarded = z3.simplify(z3.And(self.alive(), cond))
        if z3.is_false(guarded):
            return
        where = f" at line {line}" if line else ""
        self.ub_reasons.append((guarded, f"{what}{where} ({self.prefix})"))

    def lookup(self, name: str, node: c_ast.Node) -> Var:
        for scope in reversed(self.frame.scopes):
            if name in scope:
                return scope[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.program.functions:
            raise Unsupported(f"use of function '{name}' as a value", node)
        raise Unsupported(f"undeclared identifier '{name}'", node)



def _quals(node: c_ast.Node) -> list[str]:
    """Qualifiers of the object a declarator declares (an array's: its elements')."""
    while isinstance(node, c_ast.ArrayDecl):
        node = node.type
    return list(getattr(node, "quals", None) or [])
