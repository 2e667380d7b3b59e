"""Bounded equivalence of two C functions: does the target refine the source?

For every input on which the source has no undefined behaviour (and on which
both versions finish within the unroll bound) the target must have no UB,
return the same value and leave the same memory in the caller's buffers.
The checks run in Alive2's order (UB, value, memory); the first failing one
is reported, with a counterexample replayed by compiling and running both
functions.

A loop whose header bounds its trip count (`i < 100`, a `uint8_t` counter
against a `uint8_t` bound, ...) is unrolled fully (see `c_loops`). When
every input finishes within the limits, the verdict is `correct`: a proof.
When some input needs more iterations of a loop unrolled to the bound K, it
is `bounded` to K, never `correct`. By default the bound deepens, 8 → 16 →
32 → 64, within one time budget, until a round proves or refutes; an
explicit bound is checked as given.
"""
from __future__ import annotations

import time

import z3

from veriopt.errors import Unsupported
from veriopt.limits import RUN_SECONDS, SOLVER_SECONDS, UNROLL_DEEPENING, Limits
from veriopt.translation import c_smt
from veriopt.translation.c_frontend import CProgram, load
from veriopt.translation.c_memory import Memory
from veriopt.translation.c_smt import Executor, Inputs, IntV, MemObject, OutOfTime, Outcome
from veriopt.translation.c_types import IntT
from veriopt.verify.c_pair import (  # noqa: F401 - Pair: re-exported for callers
    Pair, common_signature, format_int, model_int, to_signed)
from veriopt.verify.c_solve import Solver
from veriopt.verify.concrete import replay as concrete_replay
from veriopt.verify.verdict import (ERR_MEMORY, ERR_UB, ERR_VALUE, Counterexample,
                                    Status, Verdict)

DEEPENING = UNROLL_DEEPENING    # unroll bounds tried in turn when none is given
DEFAULT_TIMEOUT = SOLVER_SECONDS  # the whole check's budget, shared by all deepening rounds
SMALL_ELEMS = 16                # preferred buffer length in counterexamples
SMALL_WINDOW = 1 << 16          # preferred address window in counterexamples
SMALL_BASE = 0x10000


def unroll_schedule(unroll: int | None) -> tuple[int, ...]:
    """The unroll bounds to try: the deepening sequence, or exactly the one given."""
    return DEEPENING if unroll is None else (unroll,)


def verify_pair(pair: Pair, limits: Limits, replay: bool = True) -> Verdict:
    """`verify_files` within a run's limits: `limits.unroll` (0: deepen),
    `limits.solver_seconds` for the whole check, `limits.run_seconds` for
    each replayed run."""
    return verify_files(pair, unroll=limits.unroll or None, timeout=limits.solver_seconds,
                        replay=replay, run_seconds=limits.run_seconds)


def verify_files(pair: Pair, unroll: int | None = None, timeout: float = DEFAULT_TIMEOUT,
                 replay: bool = True, run_seconds: float = RUN_SECONDS) -> Verdict:
    """Load both files and check that the target function refines the source.

    `unroll=None` deepens the loop bound (8, 16, 32, 64) while the time budget
    lasts; an integer is the one bound to check (loops whose header bounds
    their trip count are unrolled fully either way). A counterexample is
    replayed (compiled and run, `run_seconds` per side) unless `replay` is
    False."""
    start = time.monotonic()
    deadline = start + timeout
    src_prog = load(pair.src_path)
    tgt_prog = src_prog if pair.tgt_path == pair.src_path else load(pair.tgt_path)
    src_prog.function(pair.src_fn)
    tgt_prog.function(pair.tgt_fn)
    try:
        verdict = deepen(src_prog, tgt_prog, pair, unroll_schedule(unroll), deadline,
                         run_seconds if replay else None)
    except Unsupported as exc:
        verdict = Verdict.unsupported(str(exc))
    verdict.name = f"{pair.src_fn} -> {pair.tgt_fn}"
    verdict.seconds = time.monotonic() - start
    return verdict


def deepen(src_prog: CProgram, tgt_prog: CProgram, pair: Pair, bounds: tuple[int, ...],
           deadline: float, replay_seconds: float | None) -> Verdict:
    """Check with each bound in turn, all against one deadline.

    A proof or a refutation ends the search; a bounded result is kept while
    a larger bound is tried; running out of time returns the last bounded
    result (naming the bound that did not finish), else `unknown: timeout`.
    A round in which no loop stopped at the bound cannot change with a larger
    one, so the search stops there too. `replay_seconds`: per replayed run,
    None for no replay."""
    last: Verdict | None = None
    tried: list[int] = []
    for k in bounds:
        try:
            verdict, deepenable = verify_programs(src_prog, tgt_prog, pair, k, deadline,
                                                  replay_seconds)
        except OutOfTime:
            verdict, deepenable = Verdict.unknown("timeout"), False
        if verdict.status is Status.UNKNOWN and verdict.reason == "timeout":
            if last is not None and last.status is Status.BOUNDED:
                last.note = _join(last.note, f"checking {k} loop iterations ran out of time "
                                             f"(after {', '.join(map(str, tried))})")
                return last
            return verdict
        tried.append(k)
        last = verdict
        bounded_or_empty = verdict.status is Status.BOUNDED or (
            verdict.status is Status.UNKNOWN and verdict.reason.startswith("nothing checked"))
        if not bounded_or_empty or not deepenable:
            break
    assert last is not None
    if last.status is Status.BOUNDED and len(tried) > 1:
        last.note = _join(last.note, f"bounds tried: {', '.join(map(str, tried))}")
    return last


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def verify_programs(src_prog: CProgram, tgt_prog: CProgram, pair: Pair, unroll: int,
                    deadline: float, replay_seconds: float | None
                    ) -> tuple[Verdict, bool]:
    """One check with loops unrolled to `unroll` (or their static trip count):
    the verdict, and whether some loop stopped at `unroll` (so a larger
    bound could say more)."""
    src_params, _ = common_signature(src_prog, tgt_prog, pair)
    inputs = c_smt.make_inputs(src_params)
    src = Executor(src_prog, unroll, "source", deadline).run(pair.src_fn, inputs)
    tgt = Executor(tgt_prog, unroll, "target", deadline).run(pair.tgt_fn, inputs)
    verdict = Checker(pair, inputs, src, tgt, unroll, deadline, replay_seconds).check()
    return verdict, src.deepenable or tgt.deepenable


class Checker:
    """The three refinement queries over one pair of outcomes."""

    def __init__(self, pair: Pair, inputs: Inputs, src: Outcome, tgt: Outcome, unroll: int,
                 deadline: float, replay_seconds: float | None):
        self.pair = pair
        self.inputs = inputs
        self.src = src
        self.tgt = tgt
        self.unroll = unroll
        self.deadline = deadline
        self.replay_seconds = replay_seconds
        self.addr = z3.BitVec("diff.addr", c_smt.ADDR)
        arrays = bool(inputs.objects) or src.mem.initial_reads > 0 or tgt.mem.initial_reads > 0
        self.solver = Solver(self.deadline, *split_variable(inputs, unroll), arrays=arrays)

    def base(self) -> list[z3.BoolRef]:
        return (self.inputs.assumptions + self.src.assumptions + self.tgt.assumptions
                + [z3.Not(self.src.ub)])

    def check(self) -> Verdict:
        # UB the target reaches within the unrolled prefix is real even if
        # its loop would go on, so the UB check only needs the source finished.
        pre = self.base() + [z3.Not(self.src.unwind)]
        queries = [(ERR_UB, [self.tgt.ub])]
        pre_done = [z3.Not(self.tgt.unwind)]
        if self.src.ret is not None:
            queries.append((ERR_VALUE, pre_done + [z3.Not(self.tgt.ub),
                                                   self.src.ret.v != self.tgt.ret.v]))
        objects = self.inputs.objects
        if objects:
            size = objects[0].elem.size if self.src.mem.word_mode else 1
            in_params = z3.Or([z3.And(c_smt.in_object(self.addr, o),
                                      z3.URem(self.addr - o.base, size) == 0) for o in objects])
            differs = self.src.mem.load(self.addr, size) != self.tgt.mem.load(self.addr, size)
            queries.append((ERR_MEMORY, pre_done + [z3.Not(self.tgt.ub), in_params, differs]))
        for kind, goal in queries:
            result, model = self.solve(pre + goal)
            if result == z3.unknown:
                return Verdict.unknown(model)
            if result == z3.sat:
                return self.refuted(kind, model)
        return self.proved()

    def proved(self) -> Verdict:
        """No query failed: say how much that proves (all inputs, or a bound)."""
        unwind = z3.simplify(z3.Or(self.src.unwind, self.tgt.unwind))
        if z3.is_false(unwind):
            return Verdict(Status.CORRECT, solver="z3")
        result, _ = self.solve(self.base() + [unwind], small_first=False)
        if result == z3.unsat:
            return Verdict(Status.CORRECT, solver="z3")
        checked = self.base() + [z3.Not(self.src.unwind), z3.Not(self.tgt.unwind)]
        result, _ = self.solve(checked, small_first=False)
        if result == z3.unsat:
            return Verdict.unknown(
                f"nothing checked: on no input where the source is defined do both versions "
                f"finish within {self.unroll} loop iterations (raise --unroll, or the target "
                f"may not terminate)")
        extra, _ = self.solve(self.base() + [z3.Not(self.src.unwind), self.tgt.unwind],
                              small_first=False)
        detail = None
        if extra != z3.unsat:
            detail = "the target needs more iterations on some inputs the source finishes"
        return Verdict.bounded_to(self.unroll, detail, solver="z3")

    def solve(self, constraints: list[z3.BoolRef], small_first: bool = True):
        """(sat|unsat|unknown, model or reason); a sat answer is retried for a small,
        replayable model (short buffers close together)."""
        answer = self.solver.check(constraints)
        if answer.result == z3.unknown:
            return answer.result, answer.reason
        if answer.result == z3.unsat:
            return answer.result, None
        if small_first and self.inputs.objects:
            small = self.solver.check(constraints + self.small())
            if small.result == z3.sat:
                return small.result, small.model
        return answer.result, answer.model

    def small(self) -> list[z3.BoolRef]:
        cons = []
        for o in self.inputs.objects:
            cons += [z3.ULE(o.elems, SMALL_ELEMS), z3.UGE(o.base, SMALL_BASE),
                     z3.ULT(o.base, SMALL_BASE + SMALL_WINDOW)]
        return cons

    # -- counterexamples
    def refuted(self, kind: str, model: z3.ModelRef) -> Verdict:
        cex = self.counterexample(kind, model)
        if self.replay_seconds is not None:
            cex.replayed = concrete_replay.replay(self.pair, self.inputs, model, kind,
                                                  self.replay_seconds)
        return Verdict(Status.INCORRECT, error=kind, counterexample=cex, solver="z3")

    def counterexample(self, kind: str, model: z3.ModelRef) -> Counterexample:
        cex = Counterexample()
        initial = Memory(self.inputs.mem, word_mode=True)
        for (name, t), val in zip(self.inputs.params, self.inputs.values):
            if isinstance(t, IntT):
                cex.inputs.append((name, format_int(model_int(model, val.v), t)))
        for obj in self.inputs.objects:
            cex.inputs.append((obj.name, describe_object(model, obj, initial,
                                                         self.inputs.objects)))
        for side, outcome, rows in (("source", self.src, cex.source), ("target", self.tgt, cex.target)):
            ub = [what for cond, what in outcome.ub_reasons if z3.is_true(model.eval(cond, True))]
            value = describe_return(model, outcome.ret)
            if ub:
                value = "UB: " + ub[0].rsplit(" (", 1)[0]
            for obj in self.inputs.objects:
                rows.append((obj.name + " after", buffer_text(model, obj, outcome.mem)))
            if side == "source":
                cex.source_value = value
            else:
                cex.target_value = value
        return cex


def split_variable(inputs: Inputs, unroll: int) -> tuple[z3.BitVecRef | None, int, bool]:
    """The length parameter to case-split queries on (see c_solve), if any."""
    for obj in inputs.objects:
        if obj.length_param is None:
            continue
        t = dict(inputs.params)[obj.length_param]
        return z3.BitVec(obj.length_param, t.bits), 2 * unroll + 1, t.signed
    return None, 0, False


def describe_return(model: z3.ModelRef, ret: IntV | None) -> str:
    if ret is None:
        return "(void)"
    return format_int(model_int(model, ret.v), ret.t)


def buffer_values(model: z3.ModelRef, obj: MemObject, mem: Memory, limit: int = 64) -> list[int]:
    elem = obj.elem
    count = min(model_int(model, obj.elems), limit)
    base = model_int(model, obj.base)
    out = []
    for i in range(count):
        raw = model_int(model, mem.load(z3.BitVecVal(base + i * elem.size, 64), elem.size))
        out.append(to_signed(raw, elem.bits) if elem.signed else raw)
    return out


def buffer_text(model: z3.ModelRef, obj: MemObject, mem: Memory) -> str:
    values = buffer_values(model, obj, mem)
    total = model_int(model, obj.elems)
    more = f", ... ({total} elements)" if total > len(values) else ""
    return "{" + ", ".join(str(v) for v in values) + more + "}"


def describe_object(model: z3.ModelRef, obj: MemObject, mem: Memory,
                    objects: list[MemObject]) -> str:
    text = buffer_text(model, obj, mem)
    base = model_int(model, obj.base)
    end = base + model_int(model, obj.elems) * obj.elem.size
    for other in objects:
        if other is obj:
            break
        obase = model_int(model, other.base)
        oend = obase + model_int(model, other.elems) * other.elem.size
        if base < oend and obase < end:
            delta = base - obase
            return f"{text} (aliases {other.name}: {obj.name} = (char *){other.name} + {delta})"
    return text
