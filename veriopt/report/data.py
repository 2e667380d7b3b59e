"""report.json: the one data model every report is rendered from (schema
in docs/report-schema.md; bump SCHEMA when a field changes meaning).

`build` reads a finished run (agents/jobs.py: the run's result and its
records, what the store also holds), never the orchestrator that made it."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from veriopt.agents.jobs import Budget, Record, RunResult
from veriopt.report.spans import function_lines

SCHEMA = "veriopt.report/2"
_FUZZED = re.compile(r"fuzzed (\d+) inputs|no counterexample in (\d+) runs")


def build(result: RunResult, input_path: str, input_kind: str, input_text: str,
          budget: Budget, agents: dict[str, Any] | None = None,
          output_path: str | None = None) -> dict[str, Any]:
    """The report as plain data (what report.json holds)."""
    best = result.best()
    jobs = {j.task.level: j for j in result.jobs}
    function = result.jobs[0].task.function
    baseline_cost = min((j.baseline_cost for j in result.jobs),
                        key=lambda c: (c["weighted"], c["instructions"]))
    lines = function_lines(input_text, input_kind, function)
    return {
        "schema": SCHEMA,
        "input": {"path": input_path, "kind": input_kind,
                  "sha256": hashlib.sha256(input_text.encode()).hexdigest(),
                  "function_lines": list(lines) if lines else None},
        "function": function,
        "baseline": {"cost": baseline_cost,
                     "levels": {lvl: {"cost": j.baseline_cost} for lvl, j in jobs.items()}},
        "result": None if best is None else _result(best, jobs[best.candidate.level]
                                                    .baseline_cost, output_path, function,
                                                    result.options.alive_tv),
        "policy": {"bounded": result.options.bounded, "alive_tv": result.options.alive_tv},
        "rechecks": {**result.rechecks, "alive_tv": _alive_stats(result)},
        "disagreements": list(result.disagreements),
        "dropped": {"bounded_only": [r.key for r in result.dropped_bounded]},
        "run": {"id": result.run_id, "resumed": result.resumed,
                "elapsed_seconds": round(result.elapsed, 3),
                "verifications": result.verifications, "cache_hits": result.cache_hits,
                "budget": {"seconds": budget.seconds, "tokens": budget.tokens,
                           "repair_rounds": budget.repair_rounds}},
        "agents": {"stats": result.agent_stats, "details": agents or {}},
        "candidates": [_candidate(r) for r in result.records],
    }


def _result(best: Record, baseline: dict[str, Any], output_path: str | None, function: str,
            alive_tv: str | None) -> dict[str, Any]:
    reduction = 1.0 - best.cost["weighted"] / baseline["weighted"] if baseline["weighted"] else 0.0
    bound = (best.verdict or {}).get("bound") if best.status == "bounded" else None
    alive_agreed = alive_tv if (best.alive_tv or {}).get("status") == "correct" else None
    return {"key": best.key, "level": best.candidate.level, "origin": best.candidate.origin,
            "code": best.candidate.code, "output": output_path,
            "cost": best.cost, "cost_reduction": round(reduction, 4),
            "proof": best.status, "bound": bound, "label": best.label,
            "fuzzed": fuzzed_count(best.label),
            "rerun": rerun_commands(best.candidate.level, function, bound, alive_agreed),
            "checked_by": list(best.checked_by), "alive_tv": best.alive_tv,
            "verdict": best.verdict, "timing": best.timing}


def fuzzed_count(label: str | None) -> int | None:
    """How many inputs the fuzzer compared, as the label says (None: not fuzzed)."""
    m = _FUZZED.search(label or "")
    return None if m is None else int(m.group(1) or m.group(2))


def rerun_commands(level: str, function: str, bound: int | None,
                   alive_tv: str | None = None) -> list[str]:
    """The command lines that check the result again, run in the report
    directory on the `before.*`/`after.*` files `write` puts there; with the
    bound the result was checked to, so a bounded check is repeated as one."""
    unroll = f" --unroll {bound}" if bound is not None else ""
    if level == "c":
        return [f"veriopt verify-c before.c after.c --function {function}{unroll}"]
    commands = [f"veriopt verify before.ll after.ll --src-fn {function} --tgt-fn {function}"
                f"{unroll}"]
    if alive_tv:
        alive_unroll = f" --src-unroll={bound} --tgt-unroll={bound}" if bound is not None else ""
        commands.append(f"{alive_tv} before.ll after.ll{alive_unroll}")
    return commands


def _alive_stats(result: RunResult) -> dict[str, Any]:
    stats = {"available": result.options.alive_tv is not None, "checked": 0, "correct": 0,
             "incorrect": 0, "undecided": 0}
    stats.update(result.alive_tv or {})
    return stats


def _candidate(r: Record) -> dict[str, Any]:
    return {"key": r.key, "parent": r.candidate.parent, "level": r.candidate.level,
            "origin": r.candidate.origin, "rationale": r.candidate.rationale,
            "round": r.round, "status": r.status, "label": r.label,
            "accepted": r.accepted, "note": r.note, "cost": r.cost, "verdict": r.verdict,
            "checked_by": list(r.checked_by), "alive_tv": r.alive_tv,
            "timing": r.timing, "cached": r.cached, "resumed": r.resumed,
            "code": r.candidate.code}
