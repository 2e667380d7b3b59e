"""`veriopt bench DIR`: run the offline agents over an optimization corpus
and say how often they found a *proved* improvement at least as cheap as
the corpus's known better version; time C kernels.

Only a candidate that verify_ir proves (Status.CORRECT) counts. Loops are
checked up to a bound (`--unroll N`, else the verifier's deepening): such a
result is `bounded`, dropped by default and with `--bounded label` shown in the
tables as `bounded:K` but never counted as proved. When alive-tv is
available it checks each case's result once more (`checked` column); a
result it refutes is dropped with a warning. The orchestrator
(veriopt.agents.orchestrator) drives the agents, as in `veriopt optimize`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from veriopt.agents.registry import OFFLINE as AGENTS
from veriopt.bench.lowering import lower_c
from veriopt.commands.optimize import add_check_arguments, limits_from
from veriopt.limits import Limits, seconds

DEFAULT_BUDGET = 60.0


def register(sub, name, summary: str) -> None:
    p = sub.add_parser(name, help=summary,
                       description="Run the offline agents (rules, passes, superopt) on every "
                                   "case of a corpus directory (manifest.json, ir/*.ll, c/*.c) "
                                   "and report proved improvements and measured speed-ups.")
    p.add_argument("corpus", metavar="DIR", help="corpus directory, e.g. veriopt/corpus/opt")
    p.add_argument("--budget", type=seconds, default=DEFAULT_BUDGET, metavar="S",
                   help=f"seconds per case (default {DEFAULT_BUDGET:.0f})")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only these cases (repeatable)")
    p.add_argument("--level", choices=("ir", "c", "all"), default="all")
    p.add_argument("--runs", type=int, default=15, help="timing runs per C kernel")
    p.add_argument("--agents", default=",".join(AGENTS), metavar="A,B",
                   help=f"offline agents to run (default {','.join(AGENTS)})")
    add_check_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable results")
    p.set_defaults(run=run)


@dataclass
class Policy:
    """What the bench asks of its checkers, the same for every case."""

    limits: Limits = field(default_factory=Limits)   # unroll 0: the verifier deepens
    bounded: str = "drop"          # drop | label
    alive_tv: str | None = None    # alive-tv executable for the final re-check
    skipped: int = 0               # candidates never verified: not cheaper than the best known

    @property
    def unroll(self) -> int:
        return self.limits.unroll

    def verify_options(self):
        from veriopt.verify.refinement import VerifyOptions
        return VerifyOptions(timeout=self.limits.solver_seconds, src_unroll=self.unroll,
                             tgt_unroll=self.unroll)

    def proof(self, verdict) -> str | None:
        """`proved`, `bounded:K` when bounded results are labelled, else None."""
        from veriopt.verify.verdict import Status
        if verdict.status is Status.CORRECT:
            return "proved"
        if verdict.status is Status.BOUNDED and self.bounded == "label":
            return f"bounded:{verdict.bound}"
        return None


@dataclass
class Found:
    """The best candidate an agent driver found for one case."""

    code: str
    agent: str
    proved: int                    # candidates proved (bounded ones not counted)
    proof: str = "proved"          # proved | bounded (only with --bounded label)


@dataclass
class IRResult:
    name: str
    baseline: int
    expected: int
    best: int | None = None
    agent: str | None = None
    seconds: float = 0.0
    proved: int = 0
    note: str = ""
    proof: str | None = None       # proved | bounded:K (never counted as proved)
    checked_by: str | None = None  # veriopt | veriopt+alive-tv

    @property
    def as_good(self) -> bool:
        return self.proof == "proved" and self.best is not None and self.best <= self.expected


@dataclass
class CResult:
    name: str
    function: str
    reference_speedup: float | None = None     # the corpus's better version vs clang -O3
    reference_spread: float | None = None
    reference_faster: bool = False
    agent_speedup: float | None = None         # best proved agent candidate vs clang -O3
    agent_spread: float | None = None
    agent: str | None = None
    faster: bool = False
    seconds: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    agent_proof: str | None = None       # proved | bounded:K
    agent_checked_by: str | None = None


def _weighted(code: str, fn: str) -> int:
    from veriopt.bench.cost import static_cost
    return static_cost(code, fn, mca=False).weighted


def best_orchestrated(source: str, fn: str, budget: float, path: str,
                      names: tuple[str, ...] = AGENTS, policy: Policy | None = None
                      ) -> Found | None:
    """The same through the orchestrator; records it marked proved (or
    bounded, when the policy labels them) are the only ones considered (its
    cost rule may decline some of them); a proved one wins over a bounded one."""
    from veriopt.agents import registry
    from veriopt.agents.base import Task
    from veriopt.agents.gates import IRGate
    from veriopt.agents.orchestrator import Budget, Job, Options, Orchestrator
    from veriopt.agents.store import Store
    policy = policy or Policy()
    task = Task(fn, "ir", source, source_path=path)
    store = Store(":memory:")
    agents = [registry.build(name, policy.limits, budget) for name in names]
    try:
        orch = Orchestrator([Job(task, IRGate(options=policy.verify_options()), source)],
                            agents, store, Budget(seconds=budget),
                            options=Options(bounded=policy.bounded), limits=policy.limits)
        result = orch.run()
    finally:
        store.close()
    policy.skipped += result.skipped_not_cheaper
    kept = ("proved", "bounded") if policy.bounded == "label" else ("proved",)
    held = [r for r in result.records if r.status in kept]
    if not held:
        return None
    rec = min(held, key=lambda r: (r.status != "proved", _weighted(r.candidate.code, fn)))
    proof = "proved" if rec.status == "proved" else f"bounded:{rec.verdict['bound']}"
    return Found(rec.candidate.code, rec.candidate.origin,
                 sum(r.status == "proved" for r in held), proof)


def final_check(source: str, code: str, fn: str, agent: str, policy: Policy
                ) -> tuple[str | None, str | None, str]:
    """The bench's own check of a case's result: (proof, checked by, note).
    verify_ir again (CORRECT, or BOUNDED under --bounded label), then
    alive-tv when available; a result alive-tv refutes is dropped, loudly."""
    from veriopt.verify.api import verify_ir
    proof = policy.proof(verify_ir(source, code, fn, fn, policy.verify_options()))
    if proof is None or policy.alive_tv is None:
        return proof, None if proof is None else "veriopt", ""
    from veriopt.agents.base import Candidate, Task
    from veriopt.agents.gates import IRGate
    alive, module = IRGate(options=policy.verify_options()).alive_recheck(
        Task(fn, "ir", source), Candidate("ir", code, agent), policy.alive_tv)
    if alive.status == "correct":
        return proof, "veriopt+alive-tv", ""
    if alive.status != "incorrect":
        return proof, "veriopt", f"alive-tv {alive.status}: {alive.error}"
    saved = None
    if module is not None:
        import tempfile
        where = Path(tempfile.mkdtemp(prefix="veriopt-bench-"))
        (where / "pair.ll").write_text(module)
        (where / "alive-tv.txt").write_text(alive.output)
        saved = str(where / "pair.ll")
    note = f"alive-tv disagrees (ERROR: {alive.error}): dropped; module {saved}"
    print(f"warning: alive-tv disagrees with veriopt on the {agent} result for @{fn}: "
          f"ERROR: {alive.error}; dropped; module saved to {saved}", file=sys.stderr)
    return None, None, note


def bench_ir_case(root: Path, case: dict, budget: float,
                  names: tuple[str, ...] = AGENTS, policy: Policy | None = None) -> IRResult:
    policy = policy or Policy()
    path = root / case["file"]
    source = path.read_text()
    fn = case.get("function", "f")
    result = IRResult(case["name"], _weighted(source, fn), int(case["expected_best"]))
    start = time.monotonic()
    try:
        found = best_orchestrated(source, fn, budget, str(path), names, policy)
    except Exception as exc:  # one broken case must not end the bench
        result.note = f"error: {type(exc).__name__}: {exc}"
        found = None
    result.seconds = time.monotonic() - start
    if found is not None:
        # the bench's own check: verify_ir's CORRECT (or labelled BOUNDED), and alive-tv's
        proof, checked_by, note = final_check(source, found.code, fn, found.agent, policy)
        result.note = note or result.note
        if proof is not None:
            result.best, result.agent, result.proved = (_weighted(found.code, fn), found.agent,
                                                        found.proved)
            result.proof, result.checked_by = proof, checked_by
    return result


def bench_c_case(root: Path, case: dict, budget: float, runs: int,
                 names: tuple[str, ...] = AGENTS, policy: Policy | None = None) -> CResult:
    """Time the corpus's better version and, where the agents prove a
    cheaper version of clang -O3's IR, that candidate."""
    from veriopt.bench.timing import TimingError, measure
    from veriopt.errors import BadInput
    policy = policy or Policy()
    fn = case["function"]
    result = CResult(case["name"], fn)
    source = (root / case["file"]).read_text()
    better = (root / case["better"]).read_text()
    start = time.monotonic()
    try:
        ref = measure(source, better, fn, "c", runs=runs, timeout=policy.limits.compile_seconds)
        result.reference_speedup, result.reference_spread = ref.speedup, ref.spread
        result.reference_faster = ref.faster()
        baseline_ir = lower_c(source)
        found = None
        if ir_supported(baseline_ir, fn, policy):
            found = best_orchestrated(baseline_ir, fn, budget, case["file"], names, policy)
        else:
            result.note = ("IR not verifiable (loops/memory; loops with --bounded label): "
                           "agents skipped")
        if found is not None and _weighted(found.code, fn) < _weighted(baseline_ir, fn):
            proof, checked_by, note = final_check(baseline_ir, found.code, fn, found.agent,
                                                  policy)
            result.note = note or result.note
            if proof is not None:
                timing = measure(baseline_ir, found.code, fn, "ir", runs=runs,
                                 timeout=policy.limits.compile_seconds)
                result.agent_speedup, result.agent_spread = timing.speedup, timing.spread
                result.agent, result.faster = found.agent, timing.faster()
                result.agent_proof, result.agent_checked_by = proof, checked_by
    except (TimingError, OSError, BadInput) as exc:
        result.note = f"timing error: {exc}"
    result.seconds = time.monotonic() - start
    return result


def ir_supported(text: str, fn: str, policy: Policy | None = None) -> bool:
    """Whether verify_ir can judge @fn usefully: a self-check is CORRECT, or
    BOUNDED (loops) when bounded results are labelled rather than dropped."""
    from veriopt.errors import BadInput
    from veriopt.verify.api import verify_ir
    from veriopt.verify.verdict import Status
    policy = policy or Policy()
    try:
        verdict = verify_ir(text, text, fn, fn, policy.verify_options())
    except BadInput:
        return False
    return verdict.status is Status.CORRECT or (
        verdict.status is Status.BOUNDED and policy.bounded == "label")


def load_manifest(root: Path) -> dict:
    from veriopt.errors import BadInput
    path = root / "manifest.json"
    if not path.is_file():
        raise BadInput("no manifest.json in the corpus directory", str(root))
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BadInput(f"manifest.json is not JSON: {exc}", str(path)) from None


def run(args: argparse.Namespace) -> int:
    from veriopt.agents.registry import parse_names
    from veriopt.errors import BadInput
    from veriopt.jsonout import document, dumps
    from veriopt.progress import progress
    root = Path(args.corpus)
    manifest = load_manifest(root)
    names = tuple(parse_names(args.agents, AGENTS))
    policy = Policy(limits_from(args), args.bounded, None if args.no_alive_tv else _alive_tv())
    known = {c["name"] for c in manifest.get("ir", []) + manifest.get("c", [])}
    missing = [name for name in args.only if name not in known]
    if missing:
        raise BadInput(f"no case named {', '.join(missing)} in the corpus (it has: "
                       f"{', '.join(sorted(known))})", str(root / "manifest.json"))
    ir_cases = [c for c in manifest.get("ir", []) if not args.only or c["name"] in args.only]
    c_cases = [c for c in manifest.get("c", []) if not args.only or c["name"] in args.only]
    ir_cases = ir_cases if args.level in ("ir", "all") else []
    c_cases = c_cases if args.level in ("c", "all") else []
    ir_results: list[IRResult] = []
    c_results: list[CResult] = []
    with progress("bench", len(ir_cases) + len(c_cases), args.quiet) as bar:
        if ir_cases and not args.json:
            print(IR_HEADER)
        for case in ir_cases:
            ir_results.append(bench_ir_case(root, case, args.budget, names, policy))
            bar.advance(case["name"])
            if not args.json:
                print_ir_row(ir_results[-1])
        if c_cases and not args.json:
            print(C_HEADER)
        for case in c_cases:
            c_results.append(bench_c_case(root, case, args.budget, args.runs, names, policy))
            bar.advance(case["name"])
            if not args.json:
                print_c_row(c_results[-1])
    summary = summarize(ir_results, c_results)
    summary.update(driver="orchestrator", bounded=policy.bounded, unroll=policy.unroll,
                   alive_tv=policy.alive_tv, skipped_not_cheaper=policy.skipped)
    if args.json:
        print(dumps(document("bench", summary=summary,
                             ir=[{**asdict(r), "as_good": r.as_good} for r in ir_results],
                             c=[asdict(r) for r in c_results])))
    else:
        print_summary(summary)
    return 0


def _alive_tv() -> str | None:
    from veriopt.verify.alive_tv import find_alive_tv
    return find_alive_tv()


def summarize(ir: list[IRResult], c: list[CResult]) -> dict[str, Any]:
    """Counts of proved results; bounded ones are counted apart, never as proved."""
    good = sum(r.as_good for r in ir)
    return {"ir_cases": len(ir), "ir_as_good": good,
            "ir_as_good_percent": round(100.0 * good / len(ir), 1) if ir else None,
            "ir_improved": sum(r.proof == "proved" and r.best < r.baseline for r in ir),
            "ir_bounded": sum((r.proof or "").startswith("bounded") for r in ir),
            "c_cases": len(c),
            "c_reference_faster": sum(r.reference_faster for r in c),
            "c_agent_faster": sum(r.faster and r.agent_proof == "proved" for r in c),
            "c_agent_faster_bounded": sum(r.faster and (r.agent_proof or "").startswith("bounded")
                                          for r in c)}


IR_HEADER = (f"{'case':<22} {'baseline':>8} {'best':>5} {'expect':>6} {'ok':>3}  {'proof':<10} "
             f"{'checked':<16} {'agent':<9} {'s':>5}")


def print_ir_row(r: IRResult) -> None:
    best = "-" if r.best is None else str(r.best)
    print(f"{r.name:<22} {r.baseline:>8} {best:>5} {r.expected:>6} {'yes' if r.as_good else 'no':>3}"
          f"  {r.proof or '-':<10} {r.checked_by or '-':<16} {r.agent or '-':<9} {r.seconds:>5.1f}"
          + (f"  {r.note}" if r.note else ""))
    sys.stdout.flush()


def _x(v: float | None, spread: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x±{(spread or 0) / 2:.2f}"


C_HEADER = (f"\n{'C kernel':<22} {'function':<16} {'reference':>12} {'agent':>12} "
            f"{'faster':>6}  {'proof':<10} {'checked':<16} {'agent':<9} {'s':>5}")


def print_c_row(r: CResult) -> None:
    print(f"{r.name:<22} {r.function:<16} {_x(r.reference_speedup, r.reference_spread):>12} "
          f"{_x(r.agent_speedup, r.agent_spread):>12} {'yes' if r.faster else 'no':>6}  "
          f"{r.agent_proof or '-':<10} {r.agent_checked_by or '-':<16} "
          f"{r.agent or '-':<9} {r.seconds:>5.1f}" + (f"  {r.note}" if r.note else ""))
    sys.stdout.flush()


def print_summary(s: dict[str, Any]) -> None:
    print()
    bounded = ""
    if s["ir_bounded"]:
        bounded = f"; {s['ir_bounded']} more only bounded, not counted"
    checked = "veriopt + alive-tv" if s.get("alive_tv") else "veriopt"
    if s["ir_cases"]:
        print(f"proved improvement at least as cheap as the known better version for "
              f"{s['ir_as_good_percent']}% of the IR corpus ({s['ir_as_good']}/{s['ir_cases']}; "
              f"{s['ir_improved']} improved at all{bounded}; {s['skipped_not_cheaper']} "
              f"candidates skipped as not cheaper; "
              f"checked by: {checked})")
    if s["c_cases"]:
        print(f"C kernels: proved agent candidate measurably faster than clang -O3 on "
              f"{s['c_agent_faster']}/{s['c_cases']}"
              + (f" (and {s['c_agent_faster_bounded']} only bounded, not counted)"
                 if s["c_agent_faster_bounded"] else "")
              + f"; corpus's better version faster on {s['c_reference_faster']}/{s['c_cases']}")
