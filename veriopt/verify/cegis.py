"""∃ inputs ∀ source choices, decided by guessing and checking
(counterexample-guided instantiation), before any quantified query.

Quantified queries over floating point (the source's NaN payloads, nsz
signs, fmuladd's fusion) are slow in Z3; most have small choice spaces.
Guess inputs with the source's choices free (quantifier-free); check
whether some source choice escapes the failure on those inputs; if none
does, the guess is a counterexample; if one does, that choice joins the
instances every later guess must also fail for. An unsatisfiable set of
instances proves there is no counterexample (∀ implies each instance).
Gives up (None) after a few rounds or when the budget runs out, and
leaves queries without floating point to Z3's own instantiation, which
does better on them.
"""
from __future__ import annotations

from collections.abc import Callable

import z3

from veriopt.verify.counterexample import free_constants, substitute_model
from veriopt.verify.solvers import SolverConfig, SolverResult, solve

ROUNDS = 70
EXPAND_BITS = 4     # up to 16 copies of the query


def _zero(c: z3.ExprRef) -> z3.ExprRef:
    return z3.BitVecVal(0, c.size()) if z3.is_bv(c) else z3.BoolVal(False)


def _bits(c: z3.ExprRef) -> int:
    return c.size() if z3.is_bv(c) else 1


def _expand(body, choices, free_vars, free_names, budget) -> SolverResult | None:
    """Few choice bits: ∀ as the conjunction over every choice (exact);
    the copies share all the structure the choices do not touch."""
    total = sum(_bits(c) for c in choices)
    copies = []
    for k in range(1 << total):
        pairs, shift = [], 0
        for c in choices:
            value = (k >> shift) & ((1 << _bits(c)) - 1)
            shift += _bits(c)
            pairs.append((c, z3.BitVecVal(value, c.size()) if z3.is_bv(c) else z3.BoolVal(value == 1)))
        copies.append(z3.substitute(body, *pairs))
    cfg = budget()
    if cfg is None:
        return None
    result = solve(z3.simplify(z3.And(copies)), free_vars, cfg)
    if result.status == "sat":
        result.model = [(k, v) for k, v in result.model
                        if str(k) in free_names or isinstance(k, z3.FuncDeclRef)]
    return result if result.status in ("sat", "unsat") else None


def _kind(var: z3.ExprRef) -> tuple[str, int]:
    """`src:nan!13` -> ("nan", 13): the kind of choice and when it was made."""
    name = str(var)
    kind, _, count = name.partition(":")[2].partition("!")
    return kind, int(count) if count.isdigit() else -1


def _mirror(choices: list, free_vars: list, from_end: bool) -> list:
    """The source's k-th choice of a kind answered by the target's k-th
    (or k-th from the end) choice of that kind (NaN payloads, nsz signs,
    fusion): where the two functions compute alike, one instance settles
    it."""
    def by_kind(vs, side):
        out: dict = {}
        for v in sorted((v for v in vs if str(v).startswith(side + ":")), key=lambda v: _kind(v)[1]):
            out.setdefault((_kind(v)[0], v.sort()), []).append(v)
        return out
    src, tgt = by_kind(choices, "src"), by_kind(free_vars, "tgt")
    def order(vs):
        return vs[::-1] if from_end else vs
    return [(s, t) for key, ss in src.items() for s, t in zip(order(ss), order(tgt.get(key, [])))
            if not _kind(s)[0].startswith("undef")]


def _has_fp(expr: z3.ExprRef) -> bool:
    todo, seen = [expr], set()
    while todo:
        e = todo.pop()
        if e.get_id() in seen:
            continue
        seen.add(e.get_id())
        if z3.is_fp(e) or z3.is_fprm(e):
            return True
        if z3.is_app(e):
            todo.extend(e.children())
    return False


def guess_and_check(body: z3.BoolRef, src_choices: list, free_vars: list,
                    budget: Callable[[], SolverConfig | None],
                    witness: dict | None = None) -> SolverResult | None:
    """`witness` maps a source choice (by name) to a term that stands for
    it in every instance (an undef read of the source answered by the
    target's read of the same value, see witness.py); the other choices
    take the values that escaped a guess (in a second instance; the first
    has the escaping values as they are, which rules the guess out)."""
    witness = witness or {}
    if not _has_fp(body):      # integer queries: Z3's own instantiation does better
        return None
    present = {str(c) for c in free_constants(body)}
    choices = [c for c in src_choices if str(c) in present]
    if not choices:
        return None
    choice_names = {str(c) for c in choices}
    free_names = {str(v) for v in free_vars}
    if sum(_bits(c) for c in choices) <= EXPAND_BITS:
        return _expand(body, choices, free_vars, free_names, budget)
    instances = [body]
    for from_end in (False, True):
        paired = {str(c): t for c, t in _mirror(choices, free_vars, from_end)}
        paired.update(witness)
        instances.append(z3.substitute(body, *[(c, paired.get(str(c), _zero(c)))
                                               for c in choices]))
    for _ in range(ROUNDS):
        cfg = budget()
        if cfg is None:
            return None
        guess = solve(z3.simplify(z3.And(instances)), free_vars + choices, cfg)
        if guess.status == "unsat":
            return SolverResult("unsat", solver=guess.solver)
        if guess.status != "sat":
            return None
        fixed = [(k, v) for k, v in guess.model
                 if str(k) in free_names or isinstance(k, z3.FuncDeclRef)]
        inst = substitute_model(body, fixed)
        rest = [c for c in free_constants(inst) if str(c) not in choice_names]
        if rest:
            inst = z3.substitute(inst, *[(c, _zero(c)) for c in rest])
        cfg = budget()
        if cfg is None:
            return None
        escape = solve(z3.Not(inst), choices, cfg)
        if escape.status == "unsat":
            return SolverResult("sat", fixed, solver=guess.solver)
        if escape.status != "sat":
            return None
        picked = {str(k): v for k, v in escape.model}
        escaped = [(c, picked.get(str(c), _zero(c))) for c in choices]
        instances.append(z3.substitute(body, *escaped))    # rules this guess out
        if any(str(c) in witness for c in choices):         # and may generalise
            instances.append(z3.substitute(body, *[(c, witness.get(str(c), v))
                                                   for c, v in escaped]))
    return None


def guess_then_solve(inst: z3.BoolRef, formula: z3.BoolRef, quantified: list, free_vars: list,
                     budget: Callable[..., SolverConfig | None],
                     witnesses: list | None) -> SolverResult | None:
    """One case of `refinement.decide`: guess and check first, then the
    quantified `formula` (∀ quantified . inst) with what is left of the
    budget; None when the budget is spent."""
    witness = {str(s): t for s, t in (witnesses or [[]])[0]}
    found = guess_and_check(inst, quantified, free_vars, lambda: budget(0.5), witness)
    if found is not None:
        return found
    rest = budget()
    return None if rest is None else solve(formula, free_vars, rest)
