"""The two gates every candidate passes before the orchestrator may accept
it, one implementation per level: a proof (IR refinement, or bounded C
equivalence plus fuzzing, labelled as such) and a cost below the baseline.

Why separate from the orchestrator: the orchestrator decides *what* to check
and in which order; these decide *whether* one candidate holds. Tests swap
nothing here: they drive the real verifier.
"""
from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from veriopt.agents.base import Candidate, Task
from veriopt.agents.store import content_hash
from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.verdict import (ERR_POISON, ERR_UB, ERR_VALUE, BadInput, Counterexample,
                                    Status, Verdict)

CLANG = "clang-22"
CLANG_TIMEOUT = 60.0

# Fallback cost weights (only when veriopt.bench.cost is not installed):
# latency-flavoured, so a division costs more than a shift.
_WEIGHTS = {"udiv": 20, "sdiv": 20, "urem": 20, "srem": 20, "mul": 3, "call": 5,
            "load": 2, "store": 2, "br": 1, "switch": 2, "phi": 0, "ret": 0,
            "select": 1, "freeze": 0}


def static_cost(module_text: str, fn: str) -> dict[str, Any]:
    """The static cost of `fn`: the bench package's model when present,
    otherwise an instruction count with latency weights."""
    try:
        from veriopt.bench.cost import static_cost as bench_cost
    except ImportError:
        return _fallback_cost(module_text, fn)
    cost = bench_cost(module_text, fn)
    return {"instructions": int(cost.instructions), "weighted": float(cost.weighted),
            "mca_cycles": None if cost.mca_cycles is None else float(cost.mca_cycles)}


def _fallback_cost(module_text: str, fn: str) -> dict[str, Any]:
    from veriopt.ir.loader import load_text
    function = load_text(module_text).functions[fn]
    instrs = [i for i in function.instructions() if i.opcode != "ret"]
    weighted = sum(_WEIGHTS.get(i.opcode, 1) for i in instrs)
    return {"instructions": len(instrs), "weighted": float(weighted), "mca_cycles": None}


def cheaper(cost: dict[str, Any], baseline: dict[str, Any]) -> bool:
    """Strictly cheaper: lower weighted cost, or equal and fewer instructions;
    never worse in llvm-mca cycles when both sides have them."""
    if cost.get("mca_cycles") is not None and baseline.get("mca_cycles") is not None:
        if cost["mca_cycles"] > baseline["mca_cycles"]:
            return False
    key = (cost["weighted"], cost["instructions"])
    return key < (baseline["weighted"], baseline["instructions"])


def lower_c(text: str, opt: str = "-O3", name: str = "input.c") -> str:
    """clang-22's IR for a C text (in a subprocess with a time limit)."""
    with tempfile.TemporaryDirectory(prefix="veriopt-c-") as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        proc = subprocess.run([CLANG, opt, "-S", "-emit-llvm", "-fno-discard-value-names",
                               "-o", "-", str(path)], capture_output=True, text=True,
                              timeout=CLANG_TIMEOUT)
    if proc.returncode != 0:
        first = next((ln for ln in proc.stderr.splitlines() if "error" in ln), proc.stderr)
        raise BadInput(f"clang could not compile it: {first.strip()}", name)
    return proc.stdout


@dataclass
class Check:
    """What a gate concluded about one candidate."""

    verdict: Verdict
    status: str          # proved | bounded | refuted | unknown | unsupported | invalid
    label: str | None    # how it was established ("proved", "bounded: 8 iterations; fuzzed...")
    cached: bool = False

    @property
    def holds(self) -> bool:
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
        return Check(verdict, "bounded", f"bounded, {verdict.bound} iterations")
    if verdict.status is Status.INCORRECT:
        return Check(verdict, "refuted", None)
    return Check(verdict, verdict.status.value, None)


def invalid(message: str) -> Check:
    return Check(Verdict.unknown(f"invalid candidate: {message}"), "invalid", None)


class IRGate:
    """IR level: refinement of the task's source by the candidate (verify_ir)."""

    level = "ir"

    def __init__(self, options: VerifyOptions | None = None, how: str = "proved"):
        self.options = options or VerifyOptions()
        self.how = how          # what the proof is relative to, for the label
        self.edge_inputs: list[dict[str, int]] = []

    def cache_key(self, task: Task, cand: Candidate) -> str:
        o = self.options
        return content_hash("ir", task.source, cand.code, task.function, o.solver,
                            str(o.disable_undef_input), str(o.disable_poison_input),
                            str(o.src_unroll), str(o.tgt_unroll))

    def check(self, task: Task, cand: Candidate, timeout: float) -> Check:
        from veriopt.verify.api import verify_ir
        from dataclasses import replace
        options = replace(self.options, timeout=max(1.0, min(self.options.timeout, timeout)))
        try:
            quick = self._edge_refutation(task, cand)
            if quick is not None:
                return Check(quick, "refuted", None)
            verdict = verify_ir(task.source, cand.code, task.function, task.function, options)
        except BadInput as exc:
            return invalid(exc.message)
        return label_verdict(verdict, self.how)

    def _edge_refutation(self, task: Task, cand: Candidate) -> Verdict | None:
        """Run the edge inputs (from the test-generation role) through the
        poison-aware interpreter: a concrete difference refutes at once."""
        if not self.edge_inputs:
            return None
        from veriopt.ir.loader import load_text
        from veriopt.translation.ir_smt.evaluate import evaluate
        from veriopt.verify.verdict import Unsupported
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


class CGate:
    """C level: bounded C equivalence (a proof within its unroll bound) and,
    behind it, differential fuzzing as a second gate. Results carry both
    labels; a fuzz run alone is never accepted."""

    level = "c"

    def __init__(self, unroll: int = 8, fuzz_examples: int = 2000, fuzz_seconds: float = 20.0):
        self.unroll = unroll
        self.fuzz_examples = fuzz_examples
        self.fuzz_seconds = fuzz_seconds
        self.edge_inputs: list[dict[str, int]] = []

    def cache_key(self, task: Task, cand: Candidate) -> str:
        return content_hash("c", task.source, cand.code, task.function, str(self.unroll),
                            str(self.fuzz_examples))

    def check(self, task: Task, cand: Candidate, timeout: float) -> Check:
        from veriopt.verify import c_equiv, fuzz
        with tempfile.TemporaryDirectory(prefix="veriopt-cand-") as tmp:
            src = Path(tmp) / "source.c"
            tgt = Path(tmp) / "candidate.c"
            src.write_text(task.source)
            tgt.write_text(cand.code)
            pair = c_equiv.Pair(str(src), task.function, str(tgt), task.function)
            try:
                quick = self._edge_refutation(pair, Path(tmp))
                if quick is not None:
                    return Check(quick, "refuted", None)
                verdict = c_equiv.verify_files(pair, unroll=self.unroll, timeout=max(1.0, timeout))
                check = label_verdict(verdict, "proved (bounded C equivalence)")
                if not check.holds:
                    return check
                fuzzed = fuzz.fuzz_files(pair, examples=self.fuzz_examples,
                                         time_budget=min(self.fuzz_seconds, timeout))
            except BadInput as exc:
                return invalid(exc.message)
        if fuzzed.status is Status.INCORRECT:
            # The bounded check missed what a run shows: trust the run.
            return Check(fuzzed, "refuted", None)
        check.label = f"{check.label}; fuzzed: {fuzzed.reason or 'no difference'}"
        return check

    def cost(self, task: Task, code: str) -> dict[str, Any]:
        return static_cost(lower_c(code), task.function)

    def _edge_refutation(self, pair, workdir: Path) -> Verdict | None:
        """Run the suggested edge inputs (integer parameters only) on both
        functions compiled in resource-limited harnesses, before the proof."""
        if not self.edge_inputs:
            return None
        from veriopt.translation import c_smt
        from veriopt.translation.c_frontend import load
        from veriopt.translation.c_types import IntT
        from veriopt.verify.c_run import Binary, Case
        from veriopt.verify.fuzz import counterexample, difference
        program = load(pair.src_path)
        node = program.function(pair.src_fn)
        params = c_smt.read_params(program, node)
        ret_t = c_smt.return_type(program, node)
        names = [n for n, _ in params]
        if not all(isinstance(t, IntT) for _, t in params):
            return None
        cases = [Case(ints={n: int(e[n]) for n in names}) for e in self.edge_inputs
                 if set(e) == set(names)]
        if not cases:
            return None
        src = Binary(pair.src_path, pair.src_fn, params, ret_t, workdir, "edge-src", trap=True)
        tgt = Binary(pair.tgt_path, pair.tgt_fn, params, ret_t, workdir, "edge-tgt", trap=True)
        for case, s, t in zip(cases, src.run(cases), tgt.run(cases)):
            if s.status != "ok":
                continue          # the source has UB there: anything goes
            kind = difference(s, t, ret_t)
            if kind is not None:
                cex = counterexample(case, params, ret_t, s, t, src)
                cex.replayed.append("edge input from the test-generation role")
                return Verdict(Status.INCORRECT, error=kind, counterexample=cex,
                               solver="edge-inputs")
        return None
