"""Loops proved for every iteration count, by induction over a product of
the two functions.

Bounded unrolling (Alive2's method) says nothing past its bound. Here the
source's loop and the target's loop run in lock step: both are cut
(translation/ir_smt/loop_cut.py) into `pre` (entry to the loop) and `step`
(one iteration from an arbitrary state), and an invariant Inv(S, T) over
the two states is sought, Houdini-style: start from many candidate facts
(a target value refines a source value, a value is not poison, two values
are equal or ordered, unsigned or signed, against each other, the
arguments and the constants the loops compare with) and drop every one a
solver refutes until what is left is inductive:

  pre:   source defined  ⇒  target defined, both enter the loop or both
         return (target's value refining the source's), Inv(S0, T0)
  step:  Inv(S, T) ∧ source's iteration defined  ⇒  target's iteration
         defined, both continue or both return (refining), Inv(S', T')

Then no execution of the target does anything the source could not:
every source execution without UB is matched iteration by iteration, and
one with UB allows anything. When the target has no loop (a closed form),
its result is computed once and carried as its state. Every choice the
source makes (undef) is universally quantified, which asks more than
refinement does (sound, maybe incomplete); a target state built from undef
stops the attempt (one fixed parameter cannot stand for a value that is
fresh at each use). Any shape the cut does not handle, any `unknown` from
the solver: no proof, and the caller keeps its `bounded` verdict.
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Attrs, Function, Param
from veriopt.ir.types import IntType
from veriopt.translation.ir_smt.encoding import Encoding, Inputs
from veriopt.translation.ir_smt.call_site import trap_keys
from veriopt.translation.ir_smt.function import encode_function
from veriopt.translation.ir_smt.loop_cut import Cut, cut
from veriopt.translation.ir_smt.memory_use import memory_use
from veriopt.translation.ir_smt.values import Lane, bool_to_bv, lanes, map_lanes
from veriopt.verify.counterexample import Evaluator, free_constants
from veriopt.verify.induction.candidates import Candidate, constants, refines
from veriopt.verify.induction.candidates import candidates as make_candidates
from veriopt.verify.solvers import SolverConfig, solve
from veriopt.verify.witness import undef_witness

F = z3.BoolVal(False)
MAX_ROUNDS = 200


@dataclass
class Point:
    """One side at the end of its pre or of one iteration: defined (no UB),
    returns (normally: not stopped by a trap), continues the loop, its
    return value (when it returns from the function) and its state."""

    defined: z3.BoolRef
    returns: z3.BoolRef
    cont: z3.BoolRef
    ret: object
    state: list[Lane]


@dataclass
class Proof:
    invariant: list[str]       # the facts left, as text
    rounds: int

    def summary(self, most: int = 6) -> str:
        """The invariant's telling facts first (refinement, equalities,
        linear relations), then orders; at most `most` of them."""
        def rank(fact: str) -> int:
            for k, word in enumerate(("refines", "keeps", " == ", " != ", "<")):
                if word in fact:
                    return k
            return 9
        facts = sorted(self.invariant, key=rank)
        shown = "; ".join(facts[:most])
        return shown + (f" (and {len(facts) - most} more)" if len(facts) > most else "") or "true"


def prove(src: Function, tgt: Function, options, little_endian: bool = True) -> Proof | str:
    """A proof that `tgt` refines `src` for every iteration count, or why
    there is none."""
    try:
        return _prove(src, tgt, options, little_endian)
    except Unsupported as exc:
        return f"the loops' shape: {exc.feature}"


def _prove(src: Function, tgt: Function, options, little_endian: bool) -> Proof | str:
    for fn in (src, tgt):
        touched = memory_use(fn)
        if touched:
            return f"memory ({touched}) is outside what induction compares"
    cs, ct = cut(src), cut(tgt)
    if cs.step is None or len(src.params) != len(tgt.params):
        return "the source has no loop, or the signatures differ"
    cfg: SolverConfig = options.solver_config()
    args = _arg_inputs(src, options)
    args.source_traps = trap_keys(src)
    pre_s_enc = encode_function(cs.pre, args, "src", little_endian)
    pre_t_enc = encode_function(ct.pre, args, "tgt", little_endian)
    pre_s = _witnessed(_point(pre_s_enc, cs), pre_s_enc, pre_t_enc)
    pre_t = _point(pre_t_enc, ct)
    s_in = _state_inputs(cs, "s")
    step_s_enc = encode_function(cs.step, _join(args, s_in), "src", little_endian)
    if step_s_enc.has_loops:
        return "the source's iteration holds another loop"
    S = _lanes_of(s_in)
    step_t_enc = pre_t_enc
    if ct.step is not None:
        t_in = _state_inputs(ct, "t")
        step_t_enc = encode_function(ct.step, _join(args, t_in), "tgt", little_endian)
        if step_t_enc.has_loops:
            return "the target's iteration holds another loop"
        for enc in (pre_t_enc, step_t_enc):
            if not _undef_free(_point(enc, ct), enc.undef_vars, cfg):
                return "the target's loop state is built from undef"
        T = _lanes_of(t_in)
        init_t, next_t = pre_t, _point(step_t_enc, ct)
    step_s = _witnessed(_point(step_s_enc, cs), step_s_enc, step_t_enc)
    if ct.step is None:
        # a loop-free target: computed once; its result, whether it is
        # defined and whether it returns are its state, carried unchanged
        # while the source loops
        T0 = (lanes(pre_t.ret) if pre_t.ret is not None else []) + \
            [Lane(bool_to_bv(pre_t.defined), F), Lane(bool_to_bv(pre_t.returns), F)]
        t_in = Inputs.make([Param(f"t{k}", IntType(lane.v.size()), Attrs())
                            for k, lane in enumerate(T0)], allow_undef=False, with_memory=False)
        T = _lanes_of(t_in)
        going = z3.BoolVal(True)
        init_t = Point(z3.If(pre_s.cont, going, pre_t.defined),
                       z3.If(pre_s.cont, going, pre_t.returns), pre_s.cont, pre_t.ret, T0)
        next_t = Point(z3.If(step_s.cont, going, T[-2].v == 1), z3.If(step_s.cont, going, T[-1].v == 1),
                       step_s.cont, _reshape(pre_t.ret, T[:-2]), T)
    # live-ins never change: in the step they are the values the pre computed
    fixed_ins = _live_in_values(cs, s_in, pre_s) + (_live_in_values(ct, t_in, pre_t) if ct.step else [])

    def sub(e: z3.ExprRef) -> z3.ExprRef:
        return z3.substitute(e, *fixed_ins) if fixed_ins else e
    bounds, steps = constants(src, tgt)
    labels = _labels(cs, s_in, "src") + (_labels(ct, t_in, "tgt") if ct.step is not None else
                                   [f"tgt result#{k}" for k in range(len(T) - 2)]
                                   + ["tgt defined", "tgt returns"])
    candidates = make_candidates(S, T, labels, _arg_lanes(args), bounds, steps,
                             pre_s.state, init_t.state)

    def init_formula(alive: list[Candidate]) -> tuple[z3.BoolRef, z3.BoolRef]:
        fixed = _obligations(pre_s, init_t)
        facts = z3.And([c.holds(pre_s.state, init_t.state) for c in alive])
        return fixed, z3.And(fixed, z3.Implies(z3.And(pre_s.returns, pre_s.cont), facts))

    def step_formula(alive: list[Candidate]) -> tuple[z3.BoolRef, z3.BoolRef, z3.BoolRef]:
        hyp = z3.And([c.holds(S, T) for c in alive] + [step_s.defined])
        fixed = _obligations(step_s, next_t)
        facts = z3.And([c.holds(step_s.state, next_t.state) for c in alive])
        return sub(hyp), sub(fixed), sub(z3.And(fixed, z3.Implies(z3.And(step_s.returns, step_s.cont),
                                                                  facts)))

    alive = list(candidates)
    for rounds in range(MAX_ROUNDS):
        fixed, goal = init_formula(alive)
        result = _check(z3.And(pre_s.defined, z3.Not(goal)), cfg)
        if result is None:
            return "the solver could not decide the base case"
        if result is not True:
            ev = Evaluator(result)
            if not z3.is_true(ev.term(fixed)):
                return "the target fails the base case"
            kept = [c for c in alive if z3.is_true(ev.term(c.holds(pre_s.state, init_t.state)))]
            if len(kept) == len(alive):
                return "the base case fails and no candidate fact explains it"
            alive = kept
            continue
        hyp, fixed, goal = step_formula(alive)
        result = _check(z3.And(hyp, z3.Not(goal)), cfg)
        if result is None:
            return "the solver could not decide the inductive step"
        if result is True:
            if ct.step is None and not _terminates(S, step_s, hyp, sub, cfg):
                return "the source's loop may run forever where the target returns"
            return Proof([c.text for c in alive], rounds + 1)
        ev = Evaluator(result)
        if not z3.is_true(ev.term(fixed)):
            return "the target fails the inductive step even with every surviving fact"
        kept = [c for c in alive
                if z3.is_true(ev.term(sub(c.holds(step_s.state, next_t.state))))]
        if len(kept) == len(alive):
            return "the inductive step fails and no candidate fact explains it"
        alive = kept
    return "no inductive invariant within the rounds allowed"


def _witnessed(point: Point, enc_s: Encoding, enc_t: Encoding) -> Point:
    """The source's undef reads pick what the target's corresponding reads
    pick (verify/witness.py). Refinement asks for *some* source choice that
    matches; these are one such choice, so a proof with them is a proof.
    Reads without a match stay free, which asks for more."""
    pairs = []
    taken: dict[str, int] = {}
    for copy, term in undef_witness(enc_s, enc_t):
        # a second source read paired with the same target read picks
        # another value: independent reads of undef differ where they can,
        # so a branch on undef stays UB (function.py's undef_dependence)
        k = taken[str(term)] = taken.get(str(term), -1) + 1
        if k:
            term = z3.Xor(term, k % 2 == 1) if z3.is_bool(term) else term + k
        pairs.append((copy, term))
    if not pairs:
        return point

    def w(e):
        return z3.substitute(e, *pairs)
    return Point(w(point.defined), w(point.returns), w(point.cont),
                 None if point.ret is None else map_lanes(lambda a: Lane(w(a.v), w(a.p)), point.ret),
                 [Lane(w(a.v), w(a.p)) for a in point.state])


def _obligations(s: Point, t: Point) -> z3.BoolRef:
    """What the target owes a defined source at one point: no UB, a trap
    where the source traps, and else the same way on (loop again, or return
    a value the source's refines)."""
    ret_ok = z3.BoolVal(True) if s.ret is None else refines(lanes(s.ret), lanes(t.ret))
    return z3.And(t.defined, s.returns == t.returns,
                  z3.Implies(s.returns, z3.And(s.cont == t.cont,
                                               z3.Implies(z3.Not(s.cont), ret_ok))))


def _terminates(S: list[Lane], step: Point, hyp: z3.BoolRef, sub, cfg: SolverConfig) -> bool:
    """Does the source's loop always end? Some state lane moving strictly
    one way (unsigned or signed) at every iteration that goes on does: its
    values are finitely many. (The lock step shows this for two loops; a
    loop-free target returns, so the source must, too.)"""
    going = sub(z3.And(hyp, step.returns, step.cont))
    for x, x_next in zip(S, step.state):
        for moves in (z3.UGT, z3.ULT, lambda a, b: a > b, lambda a, b: a < b):
            strict = sub(z3.And(z3.Not(x.p), z3.Not(x_next.p), moves(x_next.v, x.v)))
            if _check(z3.And(going, z3.Not(strict)), cfg) is True:
                return True
    return False


def _check(formula: z3.BoolRef, cfg: SolverConfig):
    """True when unsatisfiable (nothing refutes it), a model when
    satisfiable, None when the solver cannot tell."""
    formula = z3.simplify(formula)
    if z3.is_false(formula):
        return True
    result = solve(formula, free_constants(formula), cfg)
    if result.status == "unsat":
        return True
    if result.status == "sat":
        return result.model
    return None


def _point(enc: Encoding, c: Cut) -> Point:
    fields = enc.ret
    assert isinstance(fields, tuple)
    cont = fields[0].v == 1
    ret = fields[1] if c.returns_value else None
    state = [lane for f in fields[c.first_state_field:] for lane in lanes(f)]
    return Point(z3.Not(enc.ub), enc.returns, cont, ret, state)


def _live_in_values(c: Cut, state_in: Inputs, pre: Point) -> list:
    """(step variable, value from the pre) for each live-in's lanes."""
    first = sum(_lane_counts(state_in)[:c.phis])
    pairs = []
    for var, value in zip(_lanes_of(state_in)[first:], pre.state[first:]):
        pairs += [(var.v, value.v), (var.p, value.p)]
    return pairs


def _labels(c: Cut, state_in: Inputs, side: str) -> list[str]:
    """A name for each state lane: `src %i`, `tgt %v#1` (lane 1 of a vector)."""
    out = []
    for param, count in zip(c.state, _lane_counts(state_in)):
        out += [f"{side} %{param.name}" + (f"#{j}" if count > 1 else "") for j in range(count)]
    return out


def _lane_counts(state_in: Inputs) -> list[int]:
    """How many lanes each state parameter has, in order."""
    return [len(lanes(state_in.entries[p.name][0])) for p in state_in.params]


def _undef_free(point: Point, undef_vars: list, cfg: SolverConfig) -> bool:
    """Is the state a side carries into the next iteration the same for
    every reading of undef (where the side is defined and goes on)? Undef
    reaching it only through a branch condition is fine: a branch on undef
    is UB."""
    if not undef_vars:
        return True
    other = [(v, z3.FreshConst(v.sort(), "undef-other")) for v in undef_vars]

    def again(e):
        return z3.substitute(e, *other)
    differs = z3.Or([z3.Or(a.p != again(a.p), z3.And(z3.Not(a.p), a.v != again(a.v)))
                     for a in point.state] or [F])
    query = z3.And(point.returns, point.cont, again(point.returns), again(point.cont), differs)
    return _check(query, cfg) is True


def _arg_inputs(fn: Function, options) -> Inputs:
    """The arguments, shared by all four encodings (by name). A `noundef`
    argument is never undef (passing undef would be UB), so it is left a
    plain value that invariants may mention."""
    parts = [Inputs.make([Param(f"a{k}", p.type, p.attrs)],
                         allow_poison=not options.disable_poison_input,
                         allow_undef=not (options.disable_undef_input or p.attrs.noundef),
                         with_memory=False)
             for k, p in enumerate(fn.params)]
    return _join(*parts) if parts else Inputs([], {}, [])


def _state_inputs(c: Cut, prefix: str) -> Inputs:
    return Inputs.make([Param(f"{prefix}{k}", p.type, Attrs()) for k, p in enumerate(c.state)],
                       allow_undef=False, with_memory=False)


def _join(*parts: Inputs) -> Inputs:
    traps = [i.source_traps for i in parts if i.source_traps is not None]
    return Inputs([p for i in parts for p in i.params],
                  {k: v for i in parts for k, v in i.entries.items()},
                  [v for i in parts for v in i.vars], source_traps=traps[0] if traps else None)


def _lanes_of(inputs: Inputs) -> list[Lane]:
    return [Lane(v.value, v.poison) for v in inputs.vars]


def _arg_lanes(args: Inputs) -> list[tuple[str, Lane]]:
    """Each argument's own value and poison flag (an undef argument reads
    other values; a fact about these variables is still a fact about fixed
    variables of the execution, so it may stand in an invariant)."""
    return [(v.name, Lane(v.value, v.poison)) for v in args.vars]


def _reshape(template, flat: list[Lane]):
    """`flat` lanes in the shape of `template` (a Lane or nested tuples)."""
    it = iter(flat)

    def build(t):
        if isinstance(t, Lane):
            return next(it)
        return tuple(build(e) for e in t)
    return None if template is None else build(template)


