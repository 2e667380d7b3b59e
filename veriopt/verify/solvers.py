"""Solver back ends: Z3 (reference; quantifiers) and Bitwuzla
(quantifier-free bit-vector queries, handed over as SMT-LIB text).

Every query has a wall-clock limit and a deterministic work limit (Z3's
rlimit), with fixed seeds, so a verdict does not depend on machine load.
Anything other than a definite sat/unsat — timeout, resource limit, solver
error — is `unknown`, which never becomes `correct`.
"""
from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import z3

from veriopt.errors import BadInput
from veriopt.limits import SOLVER_SECONDS

SOLVERS = ("z3", "bitwuzla", "portfolio")
# Chosen by measurement (scripts/bench_solvers.py): Bitwuzla for
# quantifier-free queries, Z3 for quantified ones, was fastest in total.
DEFAULT_SOLVER = "bitwuzla"
SEED = 0


@dataclass
class SolverConfig:
    name: str = DEFAULT_SOLVER
    timeout: float = SOLVER_SECONDS   # seconds per query
    rlimit: int = 0                # Z3 work limit; 0 means derived from timeout
    emit_smt: str | None = None    # a folder: every query is written there as SMT-LIB


@dataclass
class SolverResult:
    status: str                                   # "sat" | "unsat" | "unknown"
    model: list[tuple[z3.ExprRef, z3.ExprRef]] = field(default_factory=list)
    reason: str = ""
    solver: str = ""
    seconds: float = 0.0


def _z3_rlimit(cfg: SolverConfig) -> int:
    # About 5M units a second of Z3 work on this machine class; generous so
    # that the wall clock, not the rlimit, usually decides.
    return cfg.rlimit or int(max(cfg.timeout, 1.0) * 20_000_000)


# Quantified (∀ source choices) queries: strategies tried in turn, each with
# a share of the query's time. Measured on differential pairs that timed out
# (scripts/differential.py): cheap quantifier elimination (qe-light) settles
# most in milliseconds, full elimination (qe2) others, and the BV logic's
# own solver the rest; none of them alone settles all.
QUANTIFIED_STRATEGIES: tuple[tuple[str, float], ...] = (("qe-light", 0.15), ("qe2", 0.35),
                                                        ("BV", 1.0))


def _z3_solver(strategy: str, ctx) -> z3.Solver:
    if strategy == "BV":
        return z3.SolverFor("BV", ctx=ctx)
    return z3.Then("simplify", strategy, "smt", ctx=ctx).solver()


def solve_z3(formula: z3.BoolRef, cfg: SolverConfig) -> SolverResult:
    if not _has_quantifier(formula):
        return _solve_z3_with(formula, cfg, "BV")
    deadline = time.perf_counter() + cfg.timeout
    result = SolverResult("unknown", reason="timeout", solver="z3")
    for strategy, share in QUANTIFIED_STRATEGIES:
        left = deadline - time.perf_counter()
        if left <= 0.01:
            break
        result = _solve_z3_with(formula, replace(cfg, timeout=left * share), strategy)
        if result.status != "unknown":
            return result
    return result


def _solve_z3_with(formula: z3.BoolRef, cfg: SolverConfig, strategy: str) -> SolverResult:
    start = time.perf_counter()
    ctx = formula.ctx
    solver = _z3_solver(strategy, ctx)
    solver.set("timeout", max(1, int(cfg.timeout * 1000)))
    solver.set("rlimit", _z3_rlimit(cfg))
    solver.set("random_seed", SEED)
    solver.add(formula)
    try:
        result = solver.check()
    except z3.Z3Exception as exc:  # out of memory, canceled, ...
        reason = f"z3: {exc}"
        if "out of memory" in reason:   # the run's --memory-limit (RLIMIT_AS) reached
            reason = "memory limit: z3 ran out of memory (raise it with --memory-limit)"
        return SolverResult("unknown", reason=reason, solver="z3",
                            seconds=time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    if result == z3.sat:
        m = solver.model()
        model = [(d(), m[d]) for d in m.decls() if d.arity() == 0]
        model += [(d, _as_term(d, m[d])) for d in m.decls() if d.arity() > 0]   # functions
        return SolverResult("sat", model, solver="z3", seconds=elapsed)
    if result == z3.unsat:
        return SolverResult("unsat", solver="z3", seconds=elapsed)
    reason = solver.reason_unknown()
    if "timeout" in reason or "canceled" in reason or elapsed >= cfg.timeout * 0.95:
        reason = "timeout"
    return SolverResult("unknown", reason=reason, solver="z3", seconds=elapsed)


_Z3_INTERNAL_DIV = re.compile(r"\b(bv[su]div|bv[su]rem|bvsmod)_i\b")


def to_smtlib(formula: z3.BoolRef) -> str:
    """SMT-LIB text of `formula`. Z3's simplifier writes divisions as its
    internal `bvudiv_i` & co., which agree with SMT-LIB's operators on
    non-zero divisors; every division the semantics builds has a divisor
    guarded away from zero, so renaming them is exact."""
    text_solver = z3.Solver(ctx=formula.ctx)
    text_solver.add(formula)
    return _Z3_INTERNAL_DIV.sub(r"\1", text_solver.to_smt2())


def solve_bitwuzla(formula: z3.BoolRef, free_vars: list[z3.ExprRef],
                   cfg: SolverConfig, smt2: str | None = None) -> SolverResult:
    """Quantifier-free queries only: the formula is printed as SMT-LIB and
    parsed by Bitwuzla; values of `free_vars` come back as Z3 constants.
    (`smt2` may be given pre-printed, so that a thread running this touches
    no Z3 state.)"""
    import bitwuzla as bw
    start = time.perf_counter()
    if smt2 is None:
        smt2 = to_smtlib(formula)
    tm = bw.TermManager()
    opts = bw.Options()
    opts.set(bw.Option.PRODUCE_MODELS, True)
    opts.set(bw.Option.SEED, SEED)
    opts.set(bw.Option.TIME_LIMIT_PER, int(cfg.timeout * 1000))
    try:
        parser = bw.Parser(tm, opts)
        parser.parse(smt2, True, False)
        engine = parser.bitwuzla()
        result = engine.check_sat()
    except Exception as exc:  # parser or solver failure: not a verdict
        return SolverResult("unknown", reason=f"bitwuzla: {exc}", solver="bitwuzla",
                            seconds=time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    if result == bw.Result.UNSAT:
        return SolverResult("unsat", solver="bitwuzla", seconds=elapsed)
    if result != bw.Result.SAT:
        return SolverResult("unknown", reason="timeout", solver="bitwuzla", seconds=elapsed)
    values = {term.symbol().strip("|"): engine.get_value(term).value(10)
              for term in parser.get_declared_funs()}
    return SolverResult("sat", values, solver="bitwuzla", seconds=elapsed)  # type: ignore[arg-type]


def _bitwuzla_model(values: dict[str, object], free_vars: list[z3.ExprRef]) -> list:
    """Bitwuzla's values (by symbol name) as (Z3 variable, Z3 value) pairs."""
    model = []
    for var in free_vars:
        if str(var) not in values:
            continue
        value = values[str(var)]
        if z3.is_bool(var):
            model.append((var, z3.BoolVal(bool(value))))
        else:
            model.append((var, z3.BitVecVal(int(value), var.size())))
    return model


def _as_term(decl: z3.FuncDeclRef, interp) -> z3.ExprRef:
    """A function's interpretation in a model as a term over its arguments
    (z3.Var(i)), for `z3.substitute_funs`."""
    args = [z3.Var(i, decl.domain(i)) for i in range(decl.arity())]
    term = interp.else_value()
    for entry in reversed(interp.as_list()[:-1]):
        term = z3.If(z3.And([a == v for a, v in zip(args, entry[:-1])]), entry[-1], term)
    return term


def _has_quantifier(formula: z3.ExprRef) -> bool:
    return z3.is_quantifier(formula)


def solve(formula: z3.BoolRef, free_vars: list[z3.ExprRef], cfg: SolverConfig) -> SolverResult:
    """Decide satisfiability; quantified formulas always go to Z3."""
    if cfg.emit_smt:
        emit_query(formula, cfg.emit_smt)
    if cfg.name == "z3" or _has_quantifier(formula):
        return solve_z3(formula, cfg)
    if cfg.name == "bitwuzla":
        result = solve_bitwuzla(formula, free_vars, cfg)
        if "fp.to_ieee_bv" in result.reason:   # a Z3 extension (FP bits) Bitwuzla lacks
            from veriopt.translation.ir_smt.fp_values import without_ieee_bv
            result = solve_bitwuzla(without_ieee_bv(formula), free_vars, cfg)
        if result.reason.startswith("bitwuzla:"):   # what it cannot read (bfloat): Z3's
            return solve_z3(formula, cfg)
    else:
        result = _portfolio(formula, free_vars, cfg)
    if result.solver == "bitwuzla" and result.status == "sat":
        result.model = _bitwuzla_model(result.model, free_vars)  # type: ignore[arg-type]
    return result


_emitted = itertools.count(1)


def emit_query(formula: z3.BoolRef, folder: str) -> Path:
    """Write one query as SMT-LIB (query-0001.smt2, ...), in the order they
    are asked, so anyone can re-check each answer with another solver."""
    path = Path(folder) / f"query-{next(_emitted):04d}.smt2"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_query(path, formula)
    except OSError as exc:    # --emit-smt names a file, or a folder that cannot be made
        raise BadInput(f"cannot write SMT queries there: {exc.strerror}", folder) from None
    return path


def _write_query(path: Path, formula: z3.BoolRef) -> None:
    path.write_text("; a query veriopt asked while checking a refinement: a counterexample\n"
                    "; search (sat = a counterexample), a quantifier-free instance of one\n"
                    "; (unsat = none), or a side check (does some run reach the loop bound)\n"
                    + to_smtlib(formula))


def _portfolio(formula, free_vars, cfg) -> SolverResult:
    """First definite answer of Bitwuzla and Z3, run side by side. Z3 gets
    its own context so the two threads share no Z3 state."""
    import concurrent.futures    # here: the common one-solver run need not pay for it
    ctx = z3.Context()
    formula_copy = formula.translate(ctx)
    smt2 = to_smtlib(formula)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    futures = {
        pool.submit(solve_bitwuzla, formula, free_vars, cfg, smt2): "bitwuzla",
        pool.submit(solve_z3, formula_copy, cfg): "z3",
    }
    fallback = None
    try:
        for fut in concurrent.futures.as_completed(futures):
            res = fut.result()
            if res.status != "unknown":
                if futures[fut] == "z3" and res.model:
                    res.model = [(k.translate(formula.ctx), v.translate(formula.ctx))
                                 for k, v in res.model]
                return res
            fallback = res
    finally:
        ctx.interrupt()          # stop Z3 if Bitwuzla answered first
        pool.shutdown(wait=False)
    assert fallback is not None
    return fallback
