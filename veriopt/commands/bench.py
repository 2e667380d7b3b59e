"""`veriopt bench DIR`: run the offline agents over an optimization corpus
and say how often they found a *proved* improvement at least as cheap as
the corpus's known better version; time C kernels.

Only a candidate that verify_ir proves (Status.CORRECT) counts. The
orchestrator (veriopt.agents.orchestrator) drives the agents when it is
installed; otherwise a small loop does: every agent proposes once, every
candidate is verified, the cheapest proved one is kept.
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


def register(sub, name: str) -> None:
    p = sub.add_parser(name, help="run the offline agents over an optimization corpus",
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
    p.add_argument("--json", action="store_true", help="machine-readable results")
    p.set_defaults(run=run)


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

    @property
    def as_good(self) -> bool:
        return self.best is not None and self.best <= self.expected


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


def best_direct(source: str, fn: str, budget: float,
                names: tuple[str, ...] = AGENTS) -> tuple[str, str, int] | None:
    """(code, agent, proved count) of the cheapest proved candidate, driving
    the agents with a plain loop."""
    from veriopt.agents.base import Task
    from veriopt.verify.api import verify_ir
    from veriopt.verify.verdict import BadInput, Status
    start = time.monotonic()
    task = Task(fn, "ir", source)
    best: tuple[int, str, str] | None = None
    proved = 0
    for agent in offline_agents(max(1.0, budget * 0.6), names):
        left = budget - (time.monotonic() - start)
        if left <= 0:
            break
        if hasattr(agent, "deadline"):
            agent.deadline = max(1.0, left * 0.8)
        if hasattr(agent, "max_cost") and best is not None:
            agent.max_cost = min(agent.max_cost, best[0] - 1)   # only look for cheaper
        for cand in agent.propose(task):
            if time.monotonic() - start > budget:
                break
            try:
                verdict = verify_ir(source, cand.code, fn, fn)
            except BadInput:
                continue
            if verdict.status is not Status.CORRECT:
                continue
            proved += 1
            cost = _weighted(cand.code, fn)
            if best is None or cost < best[0]:
                best = (cost, cand.code, cand.origin)
    return None if best is None else (best[1], best[2], proved)


def best_orchestrated(source: str, fn: str, budget: float, path: str,
                      names: tuple[str, ...] = AGENTS) -> tuple[str, str, int] | None:
    """The same through the orchestrator; records it marked proved are the
    only ones considered (its cost rule may decline some of them)."""
    from veriopt.agents.base import Task
    from veriopt.agents.gates import IRGate
    from veriopt.agents.orchestrator import Budget, Job, Orchestrator
    from veriopt.agents.store import Store
    task = Task(fn, "ir", source, source_path=path)
    store = Store(":memory:")
    try:
        orch = Orchestrator([Job(task, IRGate(), source)], offline_agents(budget * 0.5, names),
                            store, Budget(seconds=budget))
        result = orch.run()
    finally:
        store.close()
    proved = [r for r in result.records if r.status == "proved"]
    if not proved:
        return None
    costed = [(_weighted(r.candidate.code, fn), r) for r in proved]
    cost, rec = min(costed, key=lambda c: c[0])
    return rec.candidate.code, rec.candidate.origin, len(proved)


def orchestrator_available() -> bool:
    try:
        import veriopt.agents.orchestrator  # noqa: F401
        import veriopt.agents.gates  # noqa: F401
        import veriopt.agents.store  # noqa: F401
    except ImportError:
        return False
    return True


def bench_ir_case(root: Path, case: dict, budget: float, driver: str,
                  names: tuple[str, ...] = AGENTS) -> IRResult:
    from veriopt.verify.api import verify_ir
    from veriopt.verify.verdict import Status
    path = root / case["file"]
    source = path.read_text()
    fn = case.get("function", "f")
    result = IRResult(case["name"], _weighted(source, fn), int(case["expected_best"]))
    start = time.monotonic()
    try:
        if driver == "orchestrator":
            found = best_orchestrated(source, fn, budget, str(path), names)
        else:
            found = best_direct(source, fn, budget, names)
    except Exception as exc:  # one broken case must not end the bench
        result.note = f"error: {type(exc).__name__}: {exc}"
        found = None
    result.seconds = time.monotonic() - start
    if found is not None:
        code, agent, proved = found
        # the bench's own check: only verify_ir's CORRECT counts
        if verify_ir(source, code, fn, fn).status is Status.CORRECT:
            result.best, result.agent, result.proved = _weighted(code, fn), agent, proved
    return result


def bench_c_case(root: Path, case: dict, budget: float, driver: str, runs: int,
                 names: tuple[str, ...] = AGENTS) -> CResult:
    """Time the corpus's better version and, where the agents prove a
    cheaper version of clang -O3's IR, that candidate."""
    from veriopt.bench.timing import TimingError, measure
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
        if ir_supported(baseline_ir, fn):
            found = (best_orchestrated(baseline_ir, fn, budget, case["file"], names)
                     if driver == "orchestrator" else best_direct(baseline_ir, fn, budget, names))
        else:
            result.note = "IR not verifiable (loops/memory): agents skipped"
        if found is not None and _weighted(found[0], fn) < _weighted(baseline_ir, fn):
            timing = measure(baseline_ir, found[0], fn, "ir", runs=runs)
            result.agent_speedup, result.agent_spread = timing.speedup, timing.spread
            result.agent, result.faster = found[1], timing.faster()
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


def ir_supported(text: str, fn: str) -> bool:
    """Whether verify_ir can judge @fn at all (a self-check is not UNSUPPORTED)."""
    from veriopt.verify.api import verify_ir
    from veriopt.verify.refinement import VerifyOptions
    from veriopt.verify.verdict import BadInput, Status
    try:
        verdict = verify_ir(text, text, fn, fn, VerifyOptions(timeout=5))
    except BadInput:
        return False
    return verdict.status is Status.CORRECT


def load_manifest(root: Path) -> dict:
    from veriopt.verify.verdict import BadInput
    path = root / "manifest.json"
    if not path.is_file():
        raise BadInput("no manifest.json in the corpus directory", str(root))
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BadInput(f"manifest.json is not JSON: {exc}", str(path)) from None


def run(args: argparse.Namespace) -> int:
    from veriopt.verify.verdict import BadInput
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
    ir_cases = [c for c in manifest.get("ir", []) if not args.only or c["name"] in args.only]
    c_cases = [c for c in manifest.get("c", []) if not args.only or c["name"] in args.only]
    ir_results: list[IRResult] = []
    c_results: list[CResult] = []
    if args.level in ("ir", "all") and ir_cases:
        if not args.json:
            print(IR_HEADER)
        for case in ir_cases:
            ir_results.append(bench_ir_case(root, case, args.budget, driver, names))
            if not args.json:
                print_ir_row(ir_results[-1])
    if args.level in ("c", "all") and c_cases:
        if not args.json:
            print(C_HEADER)
        for case in c_cases:
            c_results.append(bench_c_case(root, case, args.budget, driver, args.runs, names))
            if not args.json:
                print_c_row(c_results[-1])
    summary = summarize(ir_results, c_results)
    summary["driver"] = driver
    if args.json:
        print(json.dumps({"summary": summary,
                          "ir": [{**asdict(r), "as_good": r.as_good} for r in ir_results],
                          "c": [asdict(r) for r in c_results]}, indent=2))
    else:
        print_summary(summary)
    return 0


def summarize(ir: list[IRResult], c: list[CResult]) -> dict[str, Any]:
    good = sum(r.as_good for r in ir)
    return {"ir_cases": len(ir), "ir_as_good": good,
            "ir_as_good_percent": round(100.0 * good / len(ir), 1) if ir else None,
            "ir_improved": sum(r.best is not None and r.best < r.baseline for r in ir),
            "c_cases": len(c),
            "c_reference_faster": sum(r.reference_faster for r in c),
            "c_agent_faster": sum(r.faster for r in c)}


IR_HEADER = f"{'case':<22} {'baseline':>8} {'best':>5} {'expect':>6} {'ok':>3}  {'agent':<9} {'s':>5}"


def print_ir_row(r: IRResult) -> None:
    best = "-" if r.best is None else str(r.best)
    print(f"{r.name:<22} {r.baseline:>8} {best:>5} {r.expected:>6} {'yes' if r.as_good else 'no':>3}"
          f"  {r.agent or '-':<9} {r.seconds:>5.1f}" + (f"  {r.note}" if r.note else ""))
    sys.stdout.flush()


def _x(v: float | None, spread: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x±{(spread or 0) / 2:.2f}"


C_HEADER = (f"\n{'C kernel':<22} {'function':<16} {'reference':>12} {'agent':>12} "
            f"{'faster':>6}  {'agent':<9} {'s':>5}")


def print_c_row(r: CResult) -> None:
    print(f"{r.name:<22} {r.function:<16} {_x(r.reference_speedup, r.reference_spread):>12} "
          f"{_x(r.agent_speedup, r.agent_spread):>12} {'yes' if r.faster else 'no':>6}  "
          f"{r.agent or '-':<9} {r.seconds:>5.1f}" + (f"  {r.note}" if r.note else ""))
    sys.stdout.flush()


def print_summary(s: dict[str, Any]) -> None:
    print()
    if s["ir_cases"]:
        print(f"proved improvement at least as cheap as the known better version for "
              f"{s['ir_as_good_percent']}% of the IR corpus ({s['ir_as_good']}/{s['ir_cases']}; "
              f"{s['ir_improved']} improved at all; driver: {s['driver']})")
    if s["c_cases"]:
        print(f"C kernels: proved agent candidate measurably faster than clang -O3 on "
              f"{s['c_agent_faster']}/{s['c_cases']}; corpus's better version faster on "
              f"{s['c_reference_faster']}/{s['c_cases']}")
