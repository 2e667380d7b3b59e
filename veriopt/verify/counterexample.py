"""Turn a solver model into a counterexample a person can read — after
replaying it.

Replay has two steps. First the model's concrete inputs and target choices
are substituted into the failed check, and Z3 must confirm that the check
fails for *every* source choice (so the example does not rest on a partial
or wrong model). Then, where inputs are plain integers with no poison or
undef, both functions run through LLVM's JIT and their results must agree
with the semantics' values. A failed replay is reported as `unknown`,
never shown as a refutation.
"""
from __future__ import annotations

import z3

from veriopt.ir.model import Function
from veriopt.ir.types import FloatType, PtrType, StructType, Type
from veriopt.translation.ir_smt.memory.pointers import describe as describe_pointer
from veriopt.translation.ir_smt.values import Lane, SVal, free_constants, lanes
from veriopt.verify import verdict as V


def format_int(value: int, width: int) -> str:
    """alive-tv's spelling: #x05 (5), and the signed reading when negative."""
    digits = max(1, (width + 3) // 4)
    text = f"#x{value:0{digits}x} ({value}"
    if width > 1 and value >= 1 << (width - 1):
        text += f", {value - (1 << width)}"
    return text + ")"


def substitute_model(expr: z3.ExprRef, model: list) -> z3.ExprRef:
    """`expr` with the model's constants and functions (an uninterpreted
    function's interpretation is a term over z3.Var: solvers.py) put in."""
    consts = [(k, v) for k, v in model if not isinstance(k, z3.FuncDeclRef)]
    funs = [(k, v) for k, v in model if isinstance(k, z3.FuncDeclRef)]
    expr = z3.substitute(expr, *consts) if consts else expr
    return z3.substitute_funs(expr, *funs) if funs else expr


class Evaluator:
    """Evaluates terms under the model; variables the model leaves open
    (source choices, don't-cares) read as 0."""

    def __init__(self, model: list[tuple[z3.ExprRef, z3.ExprRef]]):
        self.pairs = list(model)
        self.known = {str(k) for k, _ in model}

    def term(self, expr: z3.ExprRef) -> z3.ExprRef:
        expr = substitute_model(expr, self.pairs)
        rest = free_constants(expr)
        if rest:
            zeros = [(c, z3.BitVecVal(0, c.size()) if z3.is_bv(c) else z3.BoolVal(False))
                     for c in rest]
            expr = z3.substitute(expr, *zeros)
        return z3.simplify(expr)

    def depends_on_choices(self, val: SVal, choices: list) -> bool:
        """Does `val`, on the model's inputs, still depend on these choices?"""
        names = {str(c) for c in choices}
        inputs = [(k, v) for k, v in self.pairs if str(k) not in names]
        for lane in lanes(val):
            for part in (lane.v, lane.p):
                fixed = z3.simplify(substitute_model(part, inputs))
                if any(str(c) in names for c in free_constants(fixed)):
                    return True
        return False

    def lane(self, lane: Lane) -> tuple[bool, int]:
        poison = z3.is_true(self.term(lane.p))
        value = self.term(lane.v)
        return poison, value.as_long() if z3.is_bv_value(value) else 0

    def show(self, val: SVal | None, ty: Type) -> str:
        if val is None:
            return "void"
        if isinstance(val, Lane):
            poison, value = self.lane(val)
            if poison:
                return "poison"
            if isinstance(ty.scalar(), FloatType):
                from veriopt.translation.ir_smt.fp_values import format_fp
                return format_fp(value, ty.scalar())
            if isinstance(ty.scalar(), PtrType):
                return describe_pointer(value)
            return format_int(value, val.v.size())
        open_, close = ("{ ", " }") if isinstance(ty, StructType) else ("< ", " >")
        children = ty.fields if isinstance(ty, StructType) else [ty.elem] * len(val)  # type: ignore
        return open_ + ", ".join(self.show(v, t) for v, t in zip(val, children)) + close


def build_counterexample(kind, body, src_choices, model, inputs, enc_s, enc_t,
                         src: Function, tgt: Function, show_values: bool, options):
    ev = Evaluator(model)
    replayed = _replay_smt(body, src_choices, ev)
    if replayed is not None:
        return replayed
    cex = V.Counterexample(replayed=["smt: check re-confirmed on the concrete inputs"])

    arg_values: list[tuple[str, str]] = []
    plain_args: list[int] | None = []
    for iv in inputs.vars:
        label = f"{_type_of_input(iv, src)} {iv.name}"
        if z3.is_true(ev.term(iv.poison)):
            arg_values.append((label, "poison"))
            plain_args = None
        elif z3.is_true(ev.term(iv.is_undef)):
            arg_values.append((label, "undef"))
            plain_args = None
        else:
            value = ev.term(iv.value).as_long()
            arg_values.append((label, ev.show(Lane(z3.BitVecVal(value, iv.value.size()),
                                                   z3.BoolVal(False)), _input_type(iv, src))))
            if iv.is_pointer:   # the JIT cannot run on our (block, offset) pointers
                plain_args = None
            if plain_args is not None:
                plain_args.append(value)
    cex.inputs = arg_values
    cex.source = [_intermediate(ev, name, ty, entry) for name, ty, entry in enc_s.values]
    cex.target = [_intermediate(ev, name, ty, entry) for name, ty, entry in enc_t.values]
    if show_values:
        cex.source_value = ev.show(enc_s.ret, src.ret_type)
        cex.target_value = ev.show(enc_t.ret, tgt.ret_type)
    if options.jit_replay and plain_args is not None and len(plain_args) == len(src.params):
        mismatch = _replay_jit(src, tgt, plain_args, enc_s, enc_t, ev, cex)
        if mismatch is not None:
            return mismatch
    return cex


def _intermediate(ev: Evaluator, name: str, ty: Type, entry) -> tuple[str, str]:
    """One named value as alive-tv shows it; a value built from undef has no
    single value (each use may differ), so one possible reading is shown and
    marked as such."""
    shown = ev.show(entry.val, ty)
    undef = ev.depends_on_choices(entry.val, list(entry.undef_vars))
    return f"{ty} %{name}", shown + ("\t[based on undef]" if undef else "")


def _input_type(iv, fn: Function) -> Type:
    for p in fn.params:
        if p.name == iv.name[1:].split("#")[0]:
            return p.type
    return Type()


def _type_of_input(iv, fn: Function) -> str:
    name = iv.name[1:].split("#")[0]
    for p in fn.params:
        if p.name == name:
            return str(p.type) if "#" not in iv.name else str(p.type.scalar())
    return "?"


def _replay_smt(body, src_choices, ev: Evaluator) -> V.Verdict | None:
    """The failed check must hold on the concrete inputs for every source
    choice: ∃ source choice with ¬body must be unsatisfiable."""
    concrete = substitute_model(body, ev.pairs)
    keep = {str(v) for v in src_choices}
    rest = [c for c in free_constants(concrete) if str(c) not in keep]
    if rest:
        concrete = z3.substitute(concrete, *[
            (c, z3.BitVecVal(0, c.size()) if z3.is_bv(c) else z3.BoolVal(False)) for c in rest])
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    solver.add(z3.Not(concrete))
    result = solver.check()
    if result == z3.unsat:
        return None
    return V.Verdict.unknown("counterexample did not replay on concrete values")


def _replay_jit(src, tgt, args, enc_s, enc_t, ev, cex):
    """Run both functions through LLVM's JIT on the inputs and compare with
    the semantics, where the semantics says the result is a plain value."""
    from veriopt.ir import jit
    if not jit.can_run(src) or not jit.can_run(tgt):
        return None
    if "target datalayout" not in src.module_text and any(
            i.opcode in ("alloca", "getelementptr", "load", "store")
            for fn in (src, tgt) for i in fn.instructions()):
        return None   # memory layout is the host's in the JIT, LLVM's default for us
    for fn, enc, side in ((src, enc_s, "source"), (tgt, enc_t, "target")):
        if not z3.is_true(ev.term(enc.returns)) or enc.ret is None:
            continue   # never execute a side that has UB or does not return here
        if ev.depends_on_choices(enc.ret, enc.undef_vars + enc.nondet_vars):
            continue   # its value depends on choices the JIT makes its own way
        poison, expected = ev.lane(lanes(enc.ret)[0])
        if poison:
            continue
        actual = jit.run_isolated(fn, args)
        if actual is None:
            continue   # the child failed; the SMT replay above still stands
        if actual != expected:
            return V.Verdict.unknown(
                f"semantics disagree with LLVM's JIT on the {side}: "
                f"SMT {expected}, JIT {actual} for inputs {args}")
        cex.replayed.append(f"jit: {side} returned {actual}")
    return None

