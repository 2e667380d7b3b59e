"""The two gates every candidate passes before the orchestrator may accept
it, one implementation per level: a proof (IR refinement, or C equivalence
plus fuzzing; a check that only reached a loop bound is `bounded`, labelled
as such, never `proved`) and a cost below the baseline. Also the module and
flags for the independent re-check of an IR rewrite by alive-tv.

Why separate from the orchestrator: the orchestrator decides *what* to check
and in which order; these decide *whether* one candidate holds. Tests swap
nothing here: they drive the real verifier.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from veriopt.agents.base import Candidate, Task
from veriopt.agents.store import content_hash
from veriopt.bench.cost import static_cost as bench_cost
from veriopt.bench.lowering import lower_c
from veriopt.errors import BadInput
from veriopt.limits import Limits
from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.verdict import (ERR_POISON, ERR_UB, ERR_VALUE, Counterexample,
                                    Status, Verdict)


def static_cost(module_text: str, fn: str) -> dict[str, Any]:
    """The static cost of `fn` by the one cost model (veriopt.bench.cost),
    in the form records and the store keep."""
    return bench_cost(module_text, fn).to_json()


@dataclass
class Check:
    """What a gate concluded about one candidate."""

    verdict: Verdict
    status: str          # proved | bounded | refuted | unknown | unsupported | invalid
    label: str | None    # how it was established ("proved", "bounded, 8 iterations, fuzzed 2000 inputs")
    cached: bool = False

    @property
    def holds(self) -> bool:
        """No counterexample: proved, or bounded (whether a bounded result
        may be accepted is the orchestrator's policy, not the gate's)."""
        return self.status in ("proved", "bounded")


class Gate(Protocol):
    level: str

    def cache_key(self, task: Task, cand: Candidate) -> str: ...
    def check(self, task: Task, cand: Candidate, timeout: float) -> Check: ...
    def cost(self, task: Task, code: str) -> dict[str, Any]: ...


def label_verdict(verdict: Verdict, how: str) -> Check:
    """Map a verdict onto the orchestrator's outcome vocabulary."""
    if verdict.status is Status.CORRECT:
        return Check(verdict, "proved", how)
    if verdict.status is Status.BOUNDED:
        return Check(verdict, "bounded", bounded_label(verdict.bound))
    if verdict.status is Status.INCORRECT:
        return Check(verdict, "refuted", None)
    return Check(verdict, verdict.status.value, None)


def bounded_label(bound: int | None, fuzzed: int | None = None, why_not: str | None = None
                  ) -> str:
    """`bounded, K iterations, fuzzed N inputs` (or `not fuzzed (why)`)."""
    label = f"bounded, {bound} iterations"
    if fuzzed is not None:
        return f"{label}, fuzzed {fuzzed} inputs"
    if why_not:
        return f"{label}, not fuzzed ({why_not})"
    return label


_RUNS = re.compile(r"no counterexample in (\d+) runs")


def fuzzed_inputs(fuzzed: Verdict) -> int | None:
    """How many inputs a fuzz run without a difference compared."""
    m = _RUNS.search(fuzzed.reason or "")
    return int(m.group(1)) if m else None


def label_fuzzed(check: Check, fuzzed: Verdict) -> Check:
    """A check that held, after a fuzz run that found no difference: its
    label says what the fuzzing covered (a refutation is the caller's)."""
    n = fuzzed_inputs(fuzzed)
    if check.status == "bounded":
        why = None if n is not None else (fuzzed.reason or fuzzed.status.value)
        check.label = bounded_label(check.verdict.bound, n, why)
    else:
        check.label = f"{check.label}; fuzzed: {fuzzed.reason or 'no difference'}"
    return check


def invalid(message: str) -> Check:
    return Check(Verdict.unknown(f"invalid candidate: {message}"), "invalid", None)


class IRGate:
    """IR level: refinement of the task's source by the candidate (verify_ir)."""

    level = "ir"

    def __init__(self, limits: Limits | None = None, how: str = "proved",
                 options: VerifyOptions | None = None):
        limits = limits or Limits()
        self.options = options or VerifyOptions(timeout=limits.solver_seconds,
                                                src_unroll=limits.unroll,
                                                tgt_unroll=limits.unroll)
        self.how = how          # what the proof is relative to, for the label
        self.limits = limits     # fuzzing of bounded proofs (loops unrolled)
        self.edge_inputs: list[dict[str, int]] = []

    def cache_key(self, task: Task, cand: Candidate) -> str:
        o = self.options
        return content_hash("ir", task.source, cand.code, task.function, o.solver,
                            str(o.disable_undef_input), str(o.disable_poison_input),
                            str(o.src_unroll), str(o.tgt_unroll))

    def check(self, task: Task, cand: Candidate, timeout: float) -> Check:
        from veriopt.verify.api import verify_ir
        options = replace(self.options, timeout=max(1.0, min(self.options.timeout, timeout)))
        try:
            quick = self._edge_refutation(task, cand)
            if quick is not None:
                return Check(quick, "refuted", None)
            verdict = verify_ir(task.source, cand.code, task.function, task.function, options)
        except BadInput as exc:
            return invalid(exc.message)
        check = label_verdict(verdict, self.how)
        if check.status == "bounded":
            return self._fuzz_bounded(task, cand, check, timeout)
        return check

    def _fuzz_bounded(self, task: Task, cand: Candidate, check: Check, timeout: float) -> Check:
        """A bounded proof is fuzzed too (verify.fuzz_ir: the poison-aware
        interpreter), and labelled with what the fuzzing covered."""
        from veriopt.verify.fuzz_ir import fuzz_texts
        fuzzed = fuzz_texts(task.source, cand.code, task.function, self.limits,
                            seconds=min(self.limits.fuzz_seconds, timeout))
        if fuzzed.status is Status.INCORRECT:
            return Check(fuzzed, "refuted", None)
        if fuzzed.status is Status.UNSUPPORTED:
            fuzzed = Verdict.unsupported(f"the IR interpreter does not run it: {fuzzed.reason}")
        return label_fuzzed(check, fuzzed)

    def _edge_refutation(self, task: Task, cand: Candidate) -> Verdict | None:
        """Run the edge inputs (from the test-generation role) through the
        poison-aware interpreter: a concrete difference refutes at once."""
        if not self.edge_inputs:
            return None
        from veriopt.ir.loader import load_text
        from veriopt.translation.ir_smt.evaluate import evaluate
        from veriopt.errors import Unsupported
        try:
            src = load_text(task.source).functions[task.function]
            tgt = load_text(cand.code).functions.get(task.function)
        except Unsupported:
            return None
        if tgt is None:
            raise BadInput(f"the candidate does not define @{task.function}")
        names = [p.name for p in src.params]
        for example in self.edge_inputs:
            if set(example) != set(names):
                continue
            args = [int(example[n]) for n in names]
            try:
                s, t = evaluate(src, args), evaluate(tgt, args)
            except (Unsupported, ValueError, TypeError):
                return None
            if not (s.deterministic and t.deterministic) or s.ub or not s.returns:
                continue
            error = None
            if t.ub:
                error = ERR_UB
            elif s.value is not None and None not in s.value:
                if t.value is None or None in t.value:
                    error = ERR_POISON
                elif t.value != s.value:
                    error = ERR_VALUE
            if error:
                cex = Counterexample(
                    inputs=[(n, str(v)) for n, v in zip(names, args)],
                    source_value=str(s.value), target_value="UB" if t.ub else str(t.value),
                    replayed=["interpreter: edge input from the test-generation role"])
                return Verdict(Status.INCORRECT, error=error, counterexample=cex,
                               solver="edge-inputs")
        return None

    def cost(self, task: Task, code: str) -> dict[str, Any]:
        return static_cost(code, task.function)

    def alive_recheck(self, task: Task, cand: Candidate, exe: str,
                      wall_seconds: float | None = None, bound: int | None = None
                      ) -> tuple[Any, str | None]:
        """alive-tv's verdict on the candidate, with the same assumptions as
        this gate's proof: (AliveResult, the module it was given). `bound`:
        the loop bound a bounded verdict reached (when the options set none,
        the verifier chose it by deepening), so alive-tv unrolls as far.
        `wall_seconds`: the whole alive-tv run (default: the re-check time)."""
        from veriopt.verify import alive_tv
        try:
            module = alive_module(task.source, cand.code, task.function)
        except BadInput as exc:
            return alive_tv.AliveResult(alive_tv.UNSUPPORTED, exc.message), None
        options = self.options
        if bound and not (options.src_unroll or options.tgt_unroll):
            options = replace(options, src_unroll=bound, tgt_unroll=bound)
        result = alive_tv.check_text(module, exe,
                                     smt_timeout_ms=max(1000, int(options.timeout * 1000)),
                                     flags=alive_flags(options),
                                     wall_seconds=wall_seconds or Limits().recheck_seconds)
        return result, module


class CGate:
    """C level: C equivalence (a proof when no loop bound is reached) and,
    behind it, differential fuzzing as a second gate. Results carry both
    labels; a fuzz run alone is never accepted."""

    level = "c"

    def __init__(self, limits: Limits | None = None):
        limits = limits or Limits()
        self.unroll = limits.unroll or None     # None: c_equiv deepens the bound
        self.limits = limits
        self.edge_inputs: list[dict[str, int]] = []

    def cache_key(self, task: Task, cand: Candidate) -> str:
        return content_hash("c", task.source, cand.code, task.function, str(self.unroll),
                            str(self.limits.fuzz_examples))

    def check(self, task: Task, cand: Candidate, timeout: float) -> Check:
        from veriopt.verify import c_equiv, fuzz
        from veriopt.verify.c_pair import Pair
        with tempfile.TemporaryDirectory(prefix="veriopt-cand-") as tmp:
            src = Path(tmp) / "source.c"
            tgt = Path(tmp) / "candidate.c"
            src.write_text(task.source)
            tgt.write_text(cand.code)
            pair = Pair(str(src), task.function, str(tgt), task.function)
            try:
                quick = (fuzz.check_inputs(pair, self.edge_inputs, self.limits)
                         if self.edge_inputs else None)
                if quick is not None:
                    quick.solver = "edge-inputs"      # from the test-generation role
                    return Check(quick, "refuted", None)
                verdict = c_equiv.verify_files(pair, unroll=self.unroll, timeout=max(1.0, timeout))
                check = label_verdict(verdict, "proved (C equivalence)")
                if not check.holds:
                    return check
                fuzzed = fuzz.fuzz_files(pair, self.limits.fuzz_examples,
                                         min(self.limits.fuzz_seconds, timeout),
                                         limits=self.limits)
            except BadInput as exc:
                return invalid(exc.message)
        if fuzzed.status is Status.INCORRECT:
            # The bounded check missed what a run shows: trust the run.
            return Check(fuzzed, "refuted", None)
        return label_fuzzed(check, fuzzed)

    def cost(self, task: Task, code: str) -> dict[str, Any]:
        return static_cost(lower_c(code), task.function)


# ---------------------------------------------------------------- alive-tv re-check

def alive_flags(options: VerifyOptions) -> tuple[str, ...]:
    """alive-tv's flags for the assumptions veriopt's proof made."""
    flags = []
    if options.disable_undef_input:
        flags.append("-disable-undef-input")
    if options.disable_poison_input:
        flags.append("-disable-poison-input")
    if options.disallow_ub_exploitation:
        flags.append("-disallow-ub-exploitation")
    if options.bidirectional:
        flags.append("-bidirectional")
    if options.src_unroll:
        flags.append(f"-src-unroll={options.src_unroll}")
    if options.tgt_unroll:
        flags.append(f"-tgt-unroll={options.tgt_unroll}")
    return tuple(flags)


def alive_module(source: str, candidate: str, function: str) -> str:
    """One module for alive-tv: the source's @function renamed @src, the
    candidate's renamed @tgt, linked by LLVM so that the declarations,
    attribute groups and metadata either needs come along once.

    Raises BadInput when the two cannot be put in one module."""
    from veriopt.ir.loader import _llvm
    llvm = _llvm()
    modules = []
    for text, new_name in ((source, "src"), (candidate, "tgt")):
        try:
            mod = llvm.parse_assembly(text)
        except RuntimeError as exc:
            raise BadInput(f"cannot parse it for alive-tv: {str(exc).strip()[:200]}") from None
        for other in ("src", "tgt"):          # names alive-tv reads must be ours alone
            clash = _function(mod, other)
            if clash is not None and other != function:
                clash.name = f"veriopt.{other}"
        fn = _function(mod, function)
        if fn is None or fn.is_declaration:
            raise BadInput(f"no definition of @{function} for alive-tv")
        fn.name = new_name
        modules.append(mod)
    src, tgt = modules
    for fn in tgt.functions:                  # helpers both define: keep the source's
        if not fn.is_declaration and fn.name != "tgt" and _function(src, fn.name) is not None:
            fn.linkage = "linkonce_odr"
    try:
        src.link_in(tgt)
        src.verify()
    except RuntimeError as exc:
        raise BadInput(f"cannot link source and candidate for alive-tv: "
                       f"{str(exc).strip()[:200]}") from None
    return str(src)


def _function(mod, name: str):
    try:
        return mod.get_function(name)
    except NameError:
        return None
