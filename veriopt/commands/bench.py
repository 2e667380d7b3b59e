"""`veriopt bench DIR`: run the offline agents over an optimization corpus
and say how often they found a *proved* improvement at least as cheap as
the corpus's known better version; time C kernels.

Only a candidate that verify_ir proves (Status.CORRECT) counts. Loops are
checked up to a bound (`--unroll N`, else the verifier's deepening): such a
result is `bounded`, dropped by default and with `--bounded label` shown in the
tables as `bounded:K` but never counted as proved. When alive-tv is
available it checks each case's result once more (`checked` column); a
result it refutes is dropped with a warning. The orchestrator
(veriopt.agents.orchestrator) drives the agents when it is installed;
otherwise a small loop does: every agent proposes once, every candidate is
verified, the cheapest proved one is kept.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_BUDGET = 60.0
AGENTS = ("rules", "passes", "superopt")


def register(sub, name, summary: str) -> None:
    p = sub.add_parser(name, help=summary,
                       description="Run the offline agents (rules, passes, superopt) on every "
                                   "case of a corpus directory (manifest.json, ir/*.ll, c/*.c) "
                                   "and report proved improvements and measured speed-ups.")
    p.add_argument("corpus", metavar="DIR", help="corpus directory, e.g. veriopt/corpus/opt")
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET, metavar="S",
                   help=f"seconds per case (default {DEFAULT_BUDGET:.0f})")
    p.add_argument("--driver", choices=("auto", "orchestrator", "direct"), default="auto",
                   help="who drives the agents: the orchestrator when installed (auto), "
                        "or the built-in loop")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only these cases (repeatable)")
    p.add_argument("--level", choices=("ir", "c", "all"), default="all")
    p.add_argument("--runs", type=int, default=15, help="timing runs per C kernel")
    p.add_argument("--agents", default=",".join(AGENTS), metavar="A,B",
                   help=f"offline agents to run (default {','.join(AGENTS)})")
    p.add_argument("--unroll", type=int, default=0, metavar="N",
                   help="unroll IR loops N times (default 0: the verifier deepens 8, 16, 32, "
                        "64 within its time); a loop result is 'bounded', not proved")
    p.add_argument("--bounded", choices=("drop", "label"), default="drop",
                   help="a result checked only up to the loop bound: drop it (default) or show "
                        "it labelled bounded:N (never counted as proved)")
    p.add_argument("--no-alive-tv", action="store_true",
                   help="do not re-check results with alive-tv")
    p.add_argument("--json", action="store_true", help="machine-readable results")
    p.set_defaults(run=run)


@dataclass
class Policy:
    """What the bench asks of its checkers, the same for every case."""

    unroll: int = 0                # IR loops unrolled this far (0: loops unsupported)
    bounded: str = "drop"          # drop | label
    alive_tv: str | None = None    # alive-tv executable for the final re-check

    def verify_options(self):
        from veriopt.verify.refinement import VerifyOptions
        return VerifyOptions(src_unroll=self.unroll, tgt_unroll=self.unroll)

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


def offline_agents(deadline: float, names: tuple[str, ...] = AGENTS) -> list:
    from veriopt.agents.passes import PassesAgent
    from veriopt.agents.rules import RulesAgent
    from veriopt.agents.superopt import SuperoptAgent
    made = {"rules": RulesAgent, "passes": PassesAgent,
            "superopt": lambda: SuperoptAgent(deadline=deadline)}
    return [made[name]() for name in names]


def _weighted(code: str, fn: str) -> int:
    from veriopt.bench.cost import static_cost
    return static_cost(code, fn, mca=False).weighted


def best_direct(source: str, fn: str, budget: float, names: tuple[str, ...] = AGENTS,
                policy: Policy | None = None) -> Found | None:
    """The cheapest proved candidate (a bounded one only when nothing was
    proved and the policy labels them), driving the agents with a plain loop."""
    from veriopt.agents.base import Task
    from veriopt.verify.api import verify_ir
    from veriopt.errors import BadInput
    policy = policy or Policy()
    start = time.monotonic()
    task = Task(fn, "ir", source)
    best: tuple[tuple[bool, int], str, str, str] | None = None
    proved = 0
    for agent in offline_agents(max(1.0, budget * 0.6), names):
        left = budget - (time.monotonic() - start)
        if left <= 0:
            break
        if hasattr(agent, "deadline"):
            agent.deadline = max(1.0, left * 0.8)
        if hasattr(agent, "max_cost") and best is not None and not best[0][0]:
            agent.max_cost = min(agent.max_cost, best[0][1] - 1)   # only look for cheaper
        for cand in agent.propose(task):
            if time.monotonic() - start > budget:
                break
            try:
                verdict = verify_ir(source, cand.code, fn, fn, policy.verify_options())
            except BadInput:
                continue
            proof = policy.proof(verdict)
            if proof is None:
                continue
            proved += proof == "proved"
            rank = (proof != "proved", _weighted(cand.code, fn))
            if best is None or rank < best[0]:
                best = (rank, cand.code, cand.origin, proof)
    return None if best is None else Found(best[1], best[2], proved, best[3])


def best_orchestrated(source: str, fn: str, budget: float, path: str,
                      names: tuple[str, ...] = AGENTS, policy: Policy | None = None
                      ) -> Found | None:
    """The same through the orchestrator; records it marked proved (or
    bounded, when the policy labels them) are the only ones considered (its
    cost rule may decline some of them); a proved one wins over a bounded one."""
    from veriopt.agents.base import Task
    from veriopt.agents.gates import IRGate
    from veriopt.agents.orchestrator import Budget, Job, Options, Orchestrator
    from veriopt.agents.store import Store
    policy = policy or Policy()
    task = Task(fn, "ir", source, source_path=path)
    store = Store(":memory:")
    try:
        orch = Orchestrator([Job(task, IRGate(policy.verify_options()), source)],
                            offline_agents(budget * 0.5, names), store, Budget(seconds=budget),
                            options=Options(bounded=policy.bounded))
        result = orch.run()
    finally:
        store.close()
    kept = ("proved", "bounded") if policy.bounded == "label" else ("proved",)
    held = [r for r in result.records if r.status in kept]
    if not held:
        return None
    rec = min(held, key=lambda r: (r.status != "proved", _weighted(r.candidate.code, fn)))
    proof = "proved" if rec.status == "proved" else f"bounded:{rec.verdict['bound']}"
    return Found(rec.candidate.code, rec.candidate.origin,
                 sum(r.status == "proved" for r in held), proof)


def orchestrator_available() -> bool:
    try:
        import veriopt.agents.orchestrator  # noqa: F401
        import veriopt.agents.gates  # noqa: F401
        import veriopt.agents.store  # noqa: F401
    except ImportError:
        return False
    return True


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
    alive, module = IRGate(policy.verify_options()).alive_recheck(
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


def bench_ir_case(root: Path, case: dict, budget: float, driver: str,
                  names: tuple[str, ...] = AGENTS, policy: Policy | None = None) -> IRResult:
    policy = policy or Policy()
    path = root / case["file"]
    source = path.read_text()
    fn = case.get("function", "f")
    result = IRResult(case["name"], _weighted(source, fn), int(case["expected_best"]))
    start = time.monotonic()
    try:
        if driver == "orchestrator":
            found = best_orchestrated(source, fn, budget, str(path), names, policy)
        else:
            found = best_direct(source, fn, budget, names, policy)
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


def bench_c_case(root: Path, case: dict, budget: float, driver: str, runs: int,
                 names: tuple[str, ...] = AGENTS, policy: Policy | None = None) -> CResult:
    """Time the corpus's better version and, where the agents prove a
    cheaper version of clang -O3's IR, that candidate."""
    from veriopt.bench.timing import TimingError, measure
    policy = policy or Policy()
    fn = case["function"]
    result = CResult(case["name"], fn)
    source = (root / case["file"]).read_text()
    better = (root / case["better"]).read_text()
    start = time.monotonic()
    try:
        ref = measure(source, better, fn, "c", runs=runs)
        result.reference_speedup, result.reference_spread = ref.speedup, ref.spread
        result.reference_faster = ref.faster()
        baseline_ir = lower_c(source)
        found = None
        if ir_supported(baseline_ir, fn, policy):
            found = (best_orchestrated(baseline_ir, fn, budget, case["file"], names, policy)
                     if driver == "orchestrator"
                     else best_direct(baseline_ir, fn, budget, names, policy))
        else:
            result.note = ("IR not verifiable (loops/memory; loops with --bounded label): "
                           "agents skipped")
        if found is not None and _weighted(found.code, fn) < _weighted(baseline_ir, fn):
            proof, checked_by, note = final_check(baseline_ir, found.code, fn, found.agent,
                                                  policy)
            result.note = note or result.note
            if proof is not None:
                timing = measure(baseline_ir, found.code, fn, "ir", runs=runs)
                result.agent_speedup, result.agent_spread = timing.speedup, timing.spread
                result.agent, result.faster = found.agent, timing.faster()
                result.agent_proof, result.agent_checked_by = proof, checked_by
    except (TimingError, OSError) as exc:
        result.note = f"timing error: {exc}"
    result.seconds = time.monotonic() - start
    return result


def lower_c(text: str) -> str:
    """clang-22 -O3's IR of a C file (the baseline the agents start from)."""
    import subprocess
    import tempfile
    from veriopt.bench.timing import clang
    with tempfile.TemporaryDirectory(prefix="veriopt-bench-") as tmp:
        src = Path(tmp) / "k.c"
        src.write_text(text)
        out = subprocess.run([clang(), "-O3", "-S", "-emit-llvm", "-o", "-", str(src)],
                             capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise OSError(out.stderr.strip()[:300])
    return out.stdout


def ir_supported(text: str, fn: str, policy: Policy | None = None) -> bool:
    """Whether verify_ir can judge @fn usefully: a self-check is CORRECT, or
    BOUNDED (loops) when bounded results are labelled rather than dropped."""
    from dataclasses import replace

    from veriopt.verify.api import verify_ir
    from veriopt.verify.verdict import Status
    from veriopt.errors import BadInput
    policy = policy or Policy()
    try:
        verdict = verify_ir(text, text, fn, fn, replace(policy.verify_options(), timeout=5))
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
    from veriopt.errors import BadInput
    root = Path(args.corpus)
    manifest = load_manifest(root)
    names = tuple(a.strip() for a in args.agents.split(",") if a.strip())
    unknown = set(names) - set(AGENTS)
    if unknown or not names:
        raise BadInput(f"unknown agents: {', '.join(sorted(unknown)) or '(none given)'}; "
                       f"choose from {', '.join(AGENTS)}")
    driver = args.driver
    if driver == "auto":
        driver = "orchestrator" if orchestrator_available() else "direct"
    if args.unroll < 0:
        raise BadInput("--unroll must be 0 or more")
    policy = Policy(args.unroll, args.bounded, None if args.no_alive_tv else _alive_tv())
    known = {c["name"] for c in manifest.get("ir", []) + manifest.get("c", [])}
    missing = [name for name in args.only if name not in known]
    if missing:
        raise BadInput(f"no case named {', '.join(missing)} in the corpus (it has: "
                       f"{', '.join(sorted(known))})", str(root / "manifest.json"))
    ir_cases = [c for c in manifest.get("ir", []) if not args.only or c["name"] in args.only]
    c_cases = [c for c in manifest.get("c", []) if not args.only or c["name"] in args.only]
    ir_results: list[IRResult] = []
    c_results: list[CResult] = []
    if args.level in ("ir", "all") and ir_cases:
        if not args.json:
            print(IR_HEADER)
        for case in ir_cases:
            ir_results.append(bench_ir_case(root, case, args.budget, driver, names, policy))
            if not args.json:
                print_ir_row(ir_results[-1])
    if args.level in ("c", "all") and c_cases:
        if not args.json:
            print(C_HEADER)
        for case in c_cases:
            c_results.append(bench_c_case(root, case, args.budget, driver, args.runs, names,
                                          policy))
            if not args.json:
                print_c_row(c_results[-1])
    summary = summarize(ir_results, c_results)
    summary.update(driver=driver, bounded=policy.bounded, unroll=policy.unroll,
                   alive_tv=policy.alive_tv)
    if args.json:
        print(json.dumps({"summary": summary,
                          "ir": [{**asdict(r), "as_good": r.as_good} for r in ir_results],
                          "c": [asdict(r) for r in c_results]}, indent=2))
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
              f"{s['ir_improved']} improved at all{bounded}; driver: {s['driver']}; "
              f"checked by: {checked})")
    if s["c_cases"]:
        print(f"C kernels: proved agent candidate measurably faster than clang -O3 on "
              f"{s['c_agent_faster']}/{s['c_cases']}"
              + (f" (and {s['c_agent_faster_bounded']} only bounded, not counted)"
                 if s["c_agent_faster_bounded"] else "")
              + f"; corpus's better version faster on {s['c_reference_faster']}/{s['c_cases']}")
