"""C semantics as SMT terms (z3): one function, executed symbolically.

Execution is *predicated*: there is a single state, and every effect is
guarded by `alive` — the condition that control reaches the statement
(path condition, not yet returned, not broken out of or continued past,
still inside every enclosing loop, not stopped at an unroll limit). Both
arms of an `if` run one after the other under exclusive guards, so no path
forking is needed and the terms stay linear in the program size times the
unroll bound.

Scalar variables are the exception that keeps loop counters concrete: an
assignment is guarded only by the path condition within the loop body,
not by "this path has already left the loop". Each way out of a loop
(its test failing, a `break`) records the variables' values at that
point, and after the loop every variable is the merge of those records.
So `for (uint8_t i = 0; i < n; i++)` keeps `i` a constant in every copy
of the body, and 255 iterations stay cheap.

Undefined behaviour is collected as (condition, description) pairs. Each
loop runs at most its limit: the unroll bound, or the loop's static trip
count when its header bounds it (`c_loops`); `unwind` says on which
inputs that was not enough, and those inputs stop there (nothing after an
unfinished loop is executed for them, so no UB is made up from the values
a cut-off loop left behind). Memory (`c_memory`) is one flat address space shared by the
parameters' buffers (which may alias unless `restrict`), the locals' arrays
and const globals; every pointer carries the bounds [lo, hi) of the object
it points into. Values live in `c_values`, inputs in `c_inputs`, builtins
in `c_builtins`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3
from pycparser import c_ast

from veriopt.errors import Unsupported
from veriopt.translation import c_types as T
from veriopt.translation.c_frontend import CProgram
from veriopt.translation.c_memory import Memory
from veriopt.translation.c_loops import counter_loop, literal, trips
from veriopt.translation.c_sequence import check_function
from veriopt.translation.c_builtins import BUILTINS
from veriopt.translation.c_inputs import (  # noqa: F401 - re-exported for callers
    ADDR_LIMIT, LENGTH_NAMES, Inputs, MemObject, disjoint, in_object, length_param_for,
    make_inputs, placement, read_params, return_type)
from veriopt.translation.c_types import ArrT, CType, IntT, PtrT, VoidT
from veriopt.translation.c_values import (  # noqa: F401 - re-exported for callers
    ADDR, IntV, PtrV, Value, Var, bv, cast_bits, char_value, compare, convert, int_literal,
    sext1)

LOCAL_ARRAY_LIMIT = 4096  # bytes of a local array we track initialisation of
FULL_UNROLL_LIMIT = 1024  # a loop whose header bounds it to this many iterations is unrolled fully
FULL_UNROLL_WORK = 1 << 14  # ... unless, with the loops around it, that makes more body copies


_TRUE = z3.BoolVal(True)
_FALSE = z3.BoolVal(False)


class OutOfTime(Exception):
    """The symbolic execution itself used up the time budget."""


@dataclass
class Outcome:
    """What one run of a function produced, as terms over the inputs."""

    ret: IntV | None
    ub: z3.BoolRef
    ub_reasons: list[tuple[z3.BoolRef, str]]
    unwind: z3.BoolRef
    mem: Memory
    assumptions: list[z3.BoolRef]
    loops: int
    deepenable: bool = False    # a loop stopped at the unroll bound (a larger one may help)


@dataclass
class LoopState:
    """One loop being unrolled: which paths are still in it, and the values
    the variables visible outside it had on each way out."""

    watched: list[Var]
    stay: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(True))
    exits: list[tuple[z3.BoolRef, list[tuple[Value | None, z3.BoolRef]]]] = field(
        default_factory=list)

    def leave(self, cond: z3.BoolRef) -> None:
        """Paths where `cond` holds leave the loop here, with the current values."""
        cond = z3.simplify(cond)
        if not z3.is_false(cond):
            self.exits.append((cond, [(v.value, v.init) for v in self.watched]))

    def merge(self) -> None:
        """After the loop: each variable holds the value of the exit its path took."""
        for k, var in enumerate(self.watched):
            value, init = var.value, var.init
            changed = False
            for cond, snap in reversed(self.exits):
                old_value, old_init = snap[k]
                merged = _merged(cond, old_value, value)
                changed = changed or merged is not value
                value = merged
                if not old_init.eq(init):
                    init = z3.If(cond, old_init, init)
            if changed:
                value = _simplified(value)
            var.value, var.init = value, z3.simplify(init)


@dataclass
class Frame:
    fn: str
    ret_t: CType
    pc: z3.BoolRef
    outer: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(True))  # caller alive
    ret: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    brk: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    cont: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    retval: z3.BitVecRef | None = None
    scopes: list[dict[str, Var]] = field(default_factory=lambda: [{}])
    loops: list[LoopState] = field(default_factory=list)
    breakable: list[LoopState | None] = field(default_factory=list)  # None: a switch


class Executor:
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

    # -- functions
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

    # -- statements
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

    def s_While(self, node: c_ast.While) -> None:
        self.loop(node.cond, node.stmt, None, False, node)

    def s_DoWhile(self, node: c_ast.DoWhile) -> None:
        self.loop(node.cond, node.stmt, None, True, node)

    def s_For(self, node: c_ast.For) -> None:
        self.frame.scopes.append({})
        try:
            if isinstance(node.init, c_ast.DeclList):
                self.s_DeclList(node.init)
            elif node.init is not None:
                self.expr(node.init)
            self.loop(node.cond, node.stmt, node.next, False, node)
        finally:
            self.frame.scopes.pop()

    def loop(self, cond: c_ast.Node | None, body: c_ast.Node, step: c_ast.Node | None,
             do_while: bool, node: c_ast.Node) -> None:
        """Unroll up to the loop's limit; inputs needing more are recorded in
        `unwind` and stop there."""
        self.loops += 1
        f = self.frame
        limit, deepening = self.loop_limit(node)
        saved_pc, saved_brk, saved_cont = f.pc, f.brk, f.cont
        # Paths that already broke out of an enclosing switch or continued an
        # enclosing loop do not run this loop.
        f.pc = z3.simplify(z3.And(f.pc, z3.Not(f.brk), z3.Not(f.cont)))
        f.brk, f.cont = z3.BoolVal(False), z3.BoolVal(False)
        state = LoopState(self._visible_vars())
        f.loops.append(state)
        f.breakable.append(state)
        self.limits.append(limit)
        try:
            finished = False
            for i in range(limit):
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise OutOfTime()
                if not (do_while and i == 0) and self.exit_test(cond, state):
                    finished = True
                    break
                self.stmt(body)
                f.cont = z3.BoolVal(False)
                if step is not None:
                    self.expr(step)
                if z3.is_false(self.alive()):
                    finished = True
                    break
            if not finished:
                c = self.truth(self.expr(cond), cond) if cond is not None else z3.BoolVal(True)
                more = z3.simplify(z3.And(self.alive(), c))
                if not z3.is_false(more):
                    self.unwind = z3.simplify(z3.Or(self.unwind, more))
                    self.deepenable = self.deepenable or deepening
        finally:
            self.limits.pop()
            f.breakable.pop()
            f.loops.pop()
            f.pc, f.brk, f.cont = saved_pc, saved_brk, saved_cont
        state.merge()

    def exit_test(self, cond: c_ast.Node | None, state: LoopState) -> bool:
        """Evaluate the loop condition; paths where it fails leave the loop.

        Returns True when no path can stay in the loop (nothing more to unroll).
        """
        if cond is None:
            return False
        c = self.truth(self.expr(cond), cond)
        state.leave(z3.And(self.var_guard(), state.stay, z3.Not(c)))
        state.stay = z3.simplify(z3.And(state.stay, c))
        return z3.is_false(self.alive())

    def _visible_vars(self) -> list[Var]:
        """Scalar variables in scope: the ones a loop's exits must restore."""
        seen: dict[int, Var] = {}
        for scope in self.frame.scopes:
            for var in scope.values():
                if not isinstance(var.t, ArrT):
                    seen[id(var)] = var
        return list(seen.values())

    def loop_limit(self, node: c_ast.Node) -> tuple[int, bool]:
        """(iterations to unroll, whether that is the unroll bound rather than
        the loop's own static trip count)."""
        trips = self.static_trips(node)
        work = 1
        for outer in self.limits:
            work *= outer
        if trips is not None and self.unroll < trips <= FULL_UNROLL_LIMIT \
                and work * trips <= FULL_UNROLL_WORK:
            return trips, False
        return self.unroll, True

    def static_trips(self, node: c_ast.Node) -> int | None:
        """The most iterations a `for` loop's header allows, if it bounds them."""
        loop = counter_loop(node)
        if loop is None:
            return None
        try:
            var = self.lookup(loop.var, node)
        except Unsupported:
            return None
        if not isinstance(var.t, IntT) or not isinstance(var.value, IntV):
            return None
        start = self._known_range(var.value.v, var.t)
        var_range = (var.t.min(), var.t.max())
        # `c++` on an unsigned type wraps, and on a type narrower than int it
        # is computed in int and converted back, which wraps as gcc does.
        wraps = not var.t.signed or var.t.bits < T.INT.bits
        best = None
        for op, offset, bound in loop.tests:
            rng = self.static_range(bound, loop.modified)
            if rng is None:
                continue
            count = trips(op, offset, loop.step, start, rng, var_range, wraps)
            if count is not None and (best is None or count < best):
                best = count
        return best

    @staticmethod
    def _known_range(term: z3.BitVecRef, t: IntT) -> tuple[int, int]:
        """Bounds on a value of type `t`: exact for a constant, the narrower
        type's for a widened value (an `int` holding a `uint8_t`), else `t`'s."""
        term = z3.simplify(term)
        if z3.is_bv_value(term):
            v = term.as_signed_long() if t.signed else term.as_long()
            return v, v
        if z3.is_app_of(term, z3.Z3_OP_ZERO_EXT):
            width = term.arg(0).size()
            if width < t.bits:
                return 0, (1 << width) - 1
        if z3.is_app_of(term, z3.Z3_OP_CONCAT) and term.num_args() == 2 \
                and z3.is_bv_value(term.arg(0)) and term.arg(0).as_long() == 0:
            return 0, (1 << term.arg(1).size()) - 1   # simplify's spelling of zero_extend
        if z3.is_app_of(term, z3.Z3_OP_SIGN_EXT) and t.signed:
            width = term.arg(0).size()
            return -(1 << (width - 1)), (1 << (width - 1)) - 1
        return t.min(), t.max()

    def static_range(self, node: c_ast.Node, modified: set[str]) -> tuple[int, int] | None:
        """Bounds on the value of a loop bound expression, from constants, the
        current value of a variable the loop does not assign, or its type."""
        k = literal(node)
        if k is not None:
            return k, k
        if isinstance(node, c_ast.ID):
            try:
                var = self.lookup(node.name, node)
            except Unsupported:
                return None
            if not isinstance(var.t, IntT) or not isinstance(var.value, IntV):
                return None
            if node.name in modified:
                return var.t.min(), var.t.max()
            return self._known_range(var.value.v, var.t)
        if isinstance(node, c_ast.Cast):
            try:
                t = self.types.read(node.to_type)
            except Unsupported:
                return None
            if not isinstance(t, IntT):
                return None
            inner = self.static_range(node.expr, modified)
            if inner is not None and t.min() <= inner[0] and inner[1] <= t.max():
                return inner
            return t.min(), t.max()
        if isinstance(node, c_ast.UnaryOp) and node.op == "sizeof":
            try:
                size = z3.simplify(self.sizeof(node.expr).v).as_long()
            except Unsupported:
                return None
            return size, size
        if isinstance(node, c_ast.BinaryOp) and node.op in ("+", "-", "*"):
            left = self.static_range(node.left, modified)
            right = self.static_range(node.right, modified)
            if left is None or right is None:
                return None
            if node.op == "+":
                return left[0] + right[0], left[1] + right[1]
            if node.op == "-":
                return left[0] - right[1], left[1] - right[0]
            corners = [a * b for a in left for b in right]
            return min(corners), max(corners)
        return None

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
        if isinstance(a, PtrV) and isinstance(b, PtrV):
            return PtrV(a.t, z3.If(cond, a.addr, b.addr), z3.If(cond, a.lo, b.lo),
                        z3.If(cond, a.hi, b.hi))
        if a is None and b is None:
            return None
        if isinstance(a, PtrV):
            b = self.coerce(b, a.t, node)
        elif isinstance(b, PtrV):
            a = self.coerce(a, b.t, node)
        return self.e_TernaryOp_merge(cond, a, b)

    def e_TernaryOp_merge(self, cond: z3.BoolRef, a: PtrV, b: PtrV) -> PtrV:
        return PtrV(a.t, z3.If(cond, a.addr, b.addr), z3.If(cond, a.lo, b.lo),
                    z3.If(cond, a.hi, b.hi))

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
            var.value = _guarded(alive, new, var.value)
            var.init = z3.simplify(z3.Or(var.init, alive))
            return new
        ptr = self.lvalue_ptr(lhs)
        new = self.coerce(val, ptr.t.elem, node)
        self.store(ptr, new, node)
        return new

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

    # -- binary operators
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

    # -- calls
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


def _quals(node: c_ast.Node) -> list[str]:
    """Qualifiers of the object a declarator declares (an array's: its elements')."""
    while isinstance(node, c_ast.ArrayDecl):
        node = node.type
    return list(getattr(node, "quals", None) or [])


def _merged(cond: z3.BoolRef, new: Value | None, old: Value | None) -> Value | None:
    """`new` where `cond` holds, else `old` (a variable's value after a loop exit);
    left unsimplified, see `_simplified`."""
    if new is None or old is None or new is old:
        return old if new is None else new
    if isinstance(new, IntV) and isinstance(old, IntV):
        if new.v.eq(old.v):
            return old
        return IntV(old.t, z3.If(cond, new.v, old.v))
    if isinstance(new, PtrV) and isinstance(old, PtrV):
        if new.addr.eq(old.addr) and new.lo.eq(old.lo) and new.hi.eq(old.hi):
            return old
        return PtrV(old.t, z3.If(cond, new.addr, old.addr), z3.If(cond, new.lo, old.lo),
                    z3.If(cond, new.hi, old.hi))
    return _guarded(cond, new, old)


def _simplified(val: Value) -> Value:
    if isinstance(val, IntV):
        return IntV(val.t, z3.simplify(val.v))
    return PtrV(val.t, z3.simplify(val.addr), z3.simplify(val.lo), z3.simplify(val.hi))


def _guarded(alive: z3.BoolRef, new: Value, old: Value | None) -> Value:
    if old is None or z3.is_true(alive):
        return new
    if isinstance(new, IntV):
        return IntV(new.t, z3.simplify(z3.If(alive, new.v, old.v)))
    return PtrV(new.t, z3.simplify(z3.If(alive, new.addr, old.addr)),
                z3.simplify(z3.If(alive, new.lo, old.lo)), z3.simplify(z3.If(alive, new.hi, old.hi)))

