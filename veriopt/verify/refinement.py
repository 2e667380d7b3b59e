"""Refinement of a source function by a target function (Alive2's query).

For every input (arguments may be poison or undef unless `noundef`), and
every choice the target makes, there must be a choice of the source such
that: if the source has no UB, the target has none either, and where the
source's result is not poison the target's is neither poison nor
different. A counterexample is therefore a model of

    ∃ inputs, target choices . ∀ source choices . source-defined ∧ bad

checked in Alive2's order — UB, return domain, poison, undef, value — so
that the error a user reads is the one Alive2 would print.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace

import z3

from veriopt.errors import BadInput, Unsupported
from veriopt.ir.model import Function
from veriopt.ir.types import VoidType
from veriopt.limits import SOLVER_SECONDS, UNROLL_DEEPENING
from veriopt.translation.ir_smt import Encoding, Inputs, encode_function
from veriopt.translation.ir_smt.call_site import trap_keys
from veriopt.translation.ir_smt.memory_use import memory_use
from veriopt.translation.ir_smt.unroll import has_loops
from veriopt.translation.ir_smt.values import lanes
from veriopt.verify import verdict as V
from veriopt.verify.counterexample import build_counterexample, free_constants
from veriopt.verify.solvers import DEFAULT_SOLVER, SolverConfig, SolverResult, solve
from veriopt.verify.ub_exploitation import no_ub_exploitation, subst_zero
from veriopt.verify.witness import undef_witness

F = z3.BoolVal(False)


@dataclass
class VerifyOptions:
    timeout: float = SOLVER_SECONDS
    solver: str = DEFAULT_SOLVER
    disable_undef_input: bool = False
    disable_poison_input: bool = False
    disallow_ub_exploitation: bool = False
    bidirectional: bool = False
    src_unroll: int = 0
    tgt_unroll: int = 0
    rlimit: int = 0
    jit_replay: bool = True
    emit_smt: str | None = None    # folder receiving every query as SMT-LIB
    tgt_is_asm: bool = False       # alive-tv's --tgt-is-asm (asm_mode.py)

    def solver_config(self) -> SolverConfig:
        return SolverConfig(self.solver, self.timeout, self.rlimit, self.emit_smt)


class SignatureMismatch(Exception):
    pass


def check_signatures(src: Function, tgt: Function) -> None:
    if str(src.ret_type) != str(tgt.ret_type):
        raise SignatureMismatch(f"return types differ: {src.ret_type} vs {tgt.ret_type}")
    if len(src.params) != len(tgt.params):
        raise SignatureMismatch(
            f"@{src.name} takes {len(src.params)} arguments, @{tgt.name} takes {len(tgt.params)}")
    for a, b in zip(src.params, tgt.params):
        if str(a.type) != str(b.type):
            raise SignatureMismatch(f"argument types differ: {a.type} %{a.name} vs {b.type} %{b.name}")


@dataclass
class Query:
    name: str          # Alive2's error kind if satisfiable
    body: z3.BoolRef   # under ∀ source choices
    show_values: bool


def build_queries(src: Encoding, tgt: Encoding, void: bool) -> list[Query]:
    fndom_a, fndom_b = z3.Not(src.ub), z3.Not(tgt.ub)
    dom_a, dom_b = src.returns, tgt.returns
    dom = z3.And(dom_a, dom_b)
    queries = [Query(V.ERR_UB, z3.And(fndom_a, z3.Not(fndom_b)), False)]
    queries.append(Query(V.ERR_RETURN_DOMAIN,
                         z3.And(fndom_a, fndom_b, dom_a != dom_b), False))
    if void:
        return queries
    a_lanes, b_lanes = lanes(src.ret), lanes(tgt.ret)
    poison_ok = z3.And([z3.Implies(z3.Not(a.p), z3.Not(b.p)) for a, b in zip(a_lanes, b_lanes)])
    value_ok = z3.And([z3.Implies(z3.Not(a.p), a.v == b.v) for a, b in zip(a_lanes, b_lanes)])
    queries.append(Query(V.ERR_POISON, z3.And(dom, z3.Not(poison_ok)), True))
    if tgt.ret_undef_vars:
        # the source's value is fully defined (the same for every undef
        # choice) while the target's still depends on its undef choices
        a2 = lanes(subst_zero(src.ret, src.ret_undef_vars))
        b2 = lanes(subst_zero(tgt.ret, tgt.ret_undef_vars))
        more_undef = z3.Or([z3.And(z3.Not(a.p), a.v == a_fixed.v, b.v != b_fixed.v)
                            for a, a_fixed, b, b_fixed in zip(a_lanes, a2, b_lanes, b2)])
        queries.append(Query(V.ERR_UNDEF, z3.And(dom, more_undef), True))
    queries.append(Query(V.ERR_VALUE, z3.And(dom, z3.Not(value_ok)), True))
    return queries


def verify_pair(src: Function, tgt: Function, options: VerifyOptions | None = None,
                little_endian: bool = True) -> V.Verdict:
    """Prove or refute that `tgt` refines `src`. Never raises for semantic
    problems: unmodelled features give an `unsupported` verdict."""
    options = options or VerifyOptions()
    start = time.perf_counter()
    try:
        if options.tgt_is_asm:   # proved for the target as IR, refuted never (asm_mode.py)
            from veriopt.verify import asm_mode
            if options.bidirectional:
                raise Unsupported("--tgt-is-asm with --bidirectional")
            asm_mode.check_target(tgt)
            return _timed(asm_mode.settle(_verify_deepening(src, tgt, options, little_endian)),
                          src, tgt, start)
        verdict = _verify_deepening(src, tgt, options, little_endian)
        if verdict.status is V.Status.CORRECT and options.bidirectional:
            back = _verify_deepening(tgt, src, options, little_endian)
            if back.status is V.Status.CORRECT:
                verdict.note = "bidirectional: the source also refines the target (equivalent)"
            else:
                first = back.render().splitlines()
                verdict.note = ("reverse direction (source refines target?): "
                                + (first[1] if len(first) > 1 else first[0]))
    except Unsupported as exc:
        verdict = V.Verdict.unsupported(exc.feature)
    except z3.Z3Exception as exc:
        verdict = V.Verdict.unknown(f"z3: {exc}")
    except (SignatureMismatch, BadInput):
        raise
    except (RecursionError, MemoryError, ArithmeticError, LookupError, TypeError,
            ValueError, AssertionError) as exc:
        # a defect of ours must not become a verdict, nor a traceback
        verdict = V.Verdict.unknown(f"internal error: {type(exc).__name__}: {exc}")
    return _timed(verdict, src, tgt, start)


def _timed(verdict: V.Verdict, src: Function, tgt: Function, start: float) -> V.Verdict:
    verdict.seconds = time.perf_counter() - start
    verdict.name = f"@{src.name} -> @{tgt.name}"
    return verdict


def _by_induction(src: Function, tgt: Function, options: VerifyOptions, little_endian: bool,
                  bounded: V.Verdict) -> tuple[V.Verdict | None, str | None]:
    """A loop checked up to a bound may still be proved for every iteration
    count (verify/induction.py): the `correct` verdict, or None and why not.
    --disallow-ub-exploitation asks more than refinement: not tried."""
    if options.disallow_ub_exploitation or options.bidirectional:
        return None, None
    from veriopt.verify.induction import prove
    proof = prove(src, tgt, options, little_endian)
    if isinstance(proof, str):
        return None, f"no induction proof: {proof}"
    return V.Verdict(V.Status.CORRECT, solver=bounded.solver,
                     note=f"proved for every loop iteration count by induction over both "
                          f"loops in lock step; invariant: {proof.summary()}"), None


def _verify_deepening(src: Function, tgt: Function, options: VerifyOptions,
                      little_endian: bool) -> V.Verdict:
    """Loops without a bound from the user are unrolled 8, 16, 32, then 64
    times while the time budget (four query timeouts) lasts. A refutation or
    a proof (no execution reaches the bound) ends the search; after the
    first bounded round, induction may prove the loops for every iteration
    count (verify/induction.py); otherwise the answer is `bounded` at the
    deepest bound checked, never `correct`."""
    if options.src_unroll or options.tgt_unroll or not (has_loops(src) or has_loops(tgt)):
        verdict = _verify(src, tgt, options, little_endian)
        if verdict.status is not V.Status.BOUNDED:
            return verdict
        proved, why = _by_induction(src, tgt, options, little_endian, verdict)
        verdict.note = "; ".join(filter(None, [verdict.note, why]))
        return proved or verdict
    deadline = time.perf_counter() + 4 * options.timeout
    reached: V.Verdict | None = None
    why = None
    for bound in UNROLL_DEEPENING:
        left = deadline - time.perf_counter()
        if left <= 0.05:
            break
        step = replace(options, src_unroll=bound, tgt_unroll=bound,
                       timeout=min(options.timeout, left))
        verdict = _verify(src, tgt, step, little_endian)
        if verdict.status is not V.Status.BOUNDED:
            if verdict.status in (V.Status.CORRECT, V.Status.INCORRECT) or reached is None:
                return verdict
            break
        if reached is None:
            proved, why = _by_induction(src, tgt, options, little_endian, verdict)
            if proved is not None:
                return proved
        reached = verdict
    if reached is None:
        return V.Verdict.unknown("timeout")
    reached.note = "; ".join(filter(None, [
        (f"unrolled {', '.join(str(b) for b in UNROLL_DEEPENING if b <= reached.bound)} "
         f"times; deeper bounds not reached within the time budget"
         if reached.bound != UNROLL_DEEPENING[-1] else
         f"unrolled up to {reached.bound} times (the deepest automatic bound)"), why]))
    return reached


def _verify(src: Function, tgt: Function, options: VerifyOptions, little_endian: bool) -> V.Verdict:
    check_signatures(src, tgt)
    if src.is_declaration or tgt.is_declaration:
        raise Unsupported("function declarations (no body to verify)")
    # Alive2: no UB exploitation implies defined (neither undef nor poison) inputs
    strict = options.disallow_ub_exploitation
    allow_poison = not (options.disable_poison_input or strict)
    allow_undef = not (options.disable_undef_input or strict)
    if memory_use(src) or memory_use(tgt):
        from veriopt.verify.memory_query import MemoryCheck, make_inputs
        inputs = make_inputs(src, tgt, allow_poison, allow_undef, little_endian,
                             options.tgt_is_asm)
    else:   # integer and floating-point code: no memory model to build
        inputs = Inputs.make(src.params, allow_poison, allow_undef, with_memory=False)
    inputs.source_traps = trap_keys(src)
    enc_s = encode_function(src, inputs, "src", little_endian, options.src_unroll)
    enc_t = encode_function(tgt, inputs, "tgt", little_endian, options.tgt_unroll)
    if options.tgt_is_asm:
        from veriopt.verify import asm_mode
        enc_t = asm_mode.defined_result(enc_t)
    memory = NoMemory() if inputs.memory is None else \
        MemoryCheck(inputs, enc_s, enc_t, src)   # the final memory, and its inputs
    cfg = options.solver_config()
    if inputs.calls is not None and any(r.key is not None for r in inputs.calls.rows):
        cfg = replace(cfg, name="z3")   # outputs as uninterpreted functions (calls/table.py)

    src_choices = enc_s.undef_vars + enc_s.nondet_vars + enc_t.angelic_vars
    free_vars = _input_vars(inputs) + enc_t.undef_vars + enc_t.nondet_vars + memory.free_vars()
    pre = memory.precondition(src_choices)   # the memory model's shared inputs

    if strict:
        found = no_ub_exploitation(enc_s, enc_t, free_vars + src_choices, cfg, pre,
                                    lambda kind, cond, model, show: build_counterexample(
                                        kind, cond, [], model, inputs, enc_s, enc_t,
                                        src, tgt, show, options))
        if found is not None:
            return found

    void = isinstance(src.ret_type, VoidType)
    solver_name = None
    # executions beyond the unroll bound are outside what is checked
    within_bound = z3.And(z3.Not(enc_s.sink), z3.Not(enc_t.sink), pre)
    witness = undef_witness(enc_s, enc_t)
    tgt_undef_at_zero = [(v, z3.BitVecVal(0, v.size())) for v in enc_t.undef_vars]
    witnesses = [witness, [(s, z3.substitute(t, *tgt_undef_at_zero) if tgt_undef_at_zero else t)
                           for s, t in witness]]
    for query in build_queries(enc_s, enc_t, void) + memory.queries():
        query.body = z3.And(within_bound, query.body)
        body = z3.simplify(query.body)
        if z3.is_false(body):
            continue
        def run(b, fv):
            return decide(b, src_choices, fv, inputs, cfg, witnesses=witnesses)
        if query.name == V.ERR_MEMORY:   # the differing byte may be the source's choice
            result, query.body = memory.decide(within_bound, free_vars, run, cfg, witness)
        else:
            result = run(body, free_vars)
        solver_name = result.solver
        if result.status == "unsat":
            continue
        if result.status == "unknown":
            return V.Verdict(V.Status.UNKNOWN, reason=result.reason or "unknown", solver=result.solver)
        cex = build_counterexample(query.name, query.body, src_choices, result.model, inputs,
                                   enc_s, enc_t, src, tgt, query.show_values, options)
        if isinstance(cex, V.Verdict):   # replay failed: not shown as a refutation
            return cex
        if query.name == V.ERR_MEMORY:
            memory.describe(cex, result.model)
        return V.Verdict(V.Status.INCORRECT, error=query.name, counterexample=cex,
                         solver=result.solver)
    if (enc_s.has_loops or enc_t.has_loops) and _reaches_bound(enc_s, enc_t,
                                                                free_vars + src_choices, cfg):
        return V.Verdict.bounded_to(min(options.src_unroll, options.tgt_unroll),
                                    solver=solver_name)
    return V.Verdict(V.Status.CORRECT, solver=solver_name)


class NoMemory:
    """Stands for `memory_query.MemoryCheck` when neither side touches
    memory: no query, no precondition, no inputs."""

    def queries(self) -> list:
        return []

    def precondition(self, src_choices: list) -> z3.BoolRef:
        return z3.BoolVal(True)

    def free_vars(self) -> list:
        return []


def _reaches_bound(enc_s: Encoding, enc_t: Encoding, all_vars, cfg) -> bool:
    """Does some execution go beyond the unroll bound? If none does, the
    unrolled check covered every execution and is a proof; if one may (or
    the solver cannot tell), the result is only bounded."""
    reaches_bound = z3.simplify(z3.Or(enc_s.sink, enc_t.sink))
    return not (z3.is_false(reaches_bound) or solve(reaches_bound, all_vars, cfg).status == "unsat")


MAX_UNDEF_SPLIT = 8


def decide(body: z3.BoolRef, src_choices: list, free_vars: list, inputs: Inputs,
           cfg, witnesses: list[list] | None = None) -> SolverResult:
    """Is `∀ src_choices . body` satisfiable?

    Quantified bit-vector queries are slow. Two ways around them:

    1. Witnesses: since `∀q. B` implies `B[q := t1] ∧ B[q := t2]` for any
       terms, that quantifier-free conjunction being unsatisfiable proves
       there is no counterexample. The witnesses let the source's reads of
       undef pick what the target's reads pick (see `undef_witness`), once
       as they are and once with the target's undef choices at 0 (which
       refutes "the target is more undefined" when both sides compute alike).
    2. As Alive2 does, the arguments' undef flags are instantiated case by
       case (no undef argument first): cases without undef arguments lose
       those quantified variables and often become quantifier-free.
    """
    if not src_choices:
        return solve(body, free_vars, cfg)
    # the steps below share one query's time budget
    deadline = time.perf_counter() + cfg.timeout

    def budget(share: float = 1.0) -> SolverConfig | None:
        left = deadline - time.perf_counter()
        return replace(cfg, timeout=left * share) if left > 0.01 else None

    timed_out = SolverResult("unknown", reason="timeout", solver=cfg.name)
    if witnesses:
        instances = []
        for witness in witnesses:
            chosen = dict((str(s), t) for s, t in witness)
            pairs = [(q, chosen.get(str(q), z3.BitVecVal(0, q.size()) if z3.is_bv(q) else F))
                     for q in src_choices]
            instances.append(z3.substitute(body, *pairs))
        attempt = solve(z3.simplify(z3.And(instances)), free_vars, budget(0.5))
        if attempt.status == "unsat":
            return attempt
    present = {str(c) for c in free_constants(body)}
    flags = [iv.is_undef for iv in inputs.vars if str(iv.is_undef) in present]
    flag_names = {str(f) for f in flags}
    # Case by case: no undef argument first (often quantifier-free), then every
    # combination when there are few flags, else all the rest in one query.
    if not flags:
        cases: list[list] = [[]]
    else:
        cases = [[(f, F) for f in flags]]
    if 0 < len(flags) <= MAX_UNDEF_SPLIT:
        cases += [[(f, z3.BoolVal(b)) for f, b in zip(flags, combo)]
                  for combo in sorted(itertools.product([False, True], repeat=len(flags)),
                                      key=sum)[1:]]
    elif flags:
        cases.append([])   # flags left free: the rest in one quantified query
    unknown: SolverResult | None = None
    for pairs in cases:
        inst = z3.simplify(z3.substitute(body, *pairs)) if pairs else body
        if not pairs and flags:
            inst = z3.And(inst, z3.Or(flags))   # the all-false case is done
        if z3.is_false(inst):
            continue
        present = {str(c) for c in free_constants(inst)}
        quantified = [v for v in src_choices if str(v) in present]
        formula = z3.ForAll(quantified, inst) if quantified else inst
        from veriopt.verify.cegis import guess_then_solve
        result = guess_then_solve(inst, formula, quantified, free_vars, budget, witnesses)
        if result is None:
            return timed_out
        if result.status == "sat":
            if pairs:
                result.model = [(k, v) for k, v in result.model
                                if str(k) not in flag_names] + pairs
            return result
        if result.status == "unknown":
            unknown = result
    return unknown or SolverResult("unsat", solver=cfg.name)


def _input_vars(inputs: Inputs) -> list:
    out = []
    for iv in inputs.vars:
        out.append(iv.value)
        for b in (iv.poison, iv.is_undef):
            if not z3.is_false(b):
                out.append(b)
    return out
