"""`veriopt optimize`: find a proved, cheaper version of one function.

Argument handling and output only; the work is in veriopt.agents (inputs,
orchestrator, gates) and veriopt.report.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

from veriopt.errors import BadInput
from veriopt.limits import (
    FUZZ_EXAMPLES,
    FUZZ_SECONDS,
    LLM_SECONDS,
    SOLVER_SECONDS,
    Limits,
    seconds,
)

EXIT_NO_AGENT = 3

EPILOG = """Only candidates proved to refine the original (IR) or proved equivalent and
then fuzzed (C) and cheaper than the -O3 baseline are accepted. A check that
only reached a loop bound is "bounded", never "proved": --bounded drop (the
default) drops it ("dropped: bounded only"); --bounded label accepts it,
labelled "bounded, K iterations, fuzzed N inputs". Every accepted IR rewrite
is re-checked by alive-tv when it is available ($VERIOPT_ALIVE_TV or alive-tv
on PATH; --no-alive-tv to skip): if alive-tv refutes it, it is dropped and
the disagreement reported. Everything is kept in the store: rerun the same
command after Ctrl-C to resume. The API key is read from OPENAI_API_KEY (never
from the report or store); local servers need none.

exit codes: 0 done (with or without an improvement), 2 bad input, 3 no agent could
work (every call of every agent failed, e.g. the LLM server is down), 130 interrupted
"""


def register(sub, name, summary: str) -> None:
    p = sub.add_parser(name, help=summary,
                       description="Optimize one function of a .c or .ll file.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="FILE", help="a .c or .ll file")
    p.add_argument("--function", "-f", help="the function (default: the only one defined)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the optimized code here")
    p.add_argument("--report", metavar="DIR", help="write report.json/.md/.html here")
    p.add_argument("--agents", help="comma-separated: llm,passes,rules,superopt "
                   "(default: the offline agents, plus llm when OPENAI_BASE_URL is set)")
    p.add_argument("--budget", default="120s", help="wall time, e.g. 90s, 5m (default 120s)")
    p.add_argument("--tokens", type=int, default=200_000, help="LLM token budget")
    p.add_argument("--repair-rounds", type=int, default=2, metavar="N")
    p.add_argument("--store", metavar="FILE", help="SQLite store (default: "
                   "REPORT_DIR/store.sqlite, or .veriopt/store.sqlite)")
    p.add_argument("--no-timing", action="store_true", help="skip measured timing")
    p.add_argument("--runs", type=int, default=5, help="timing runs (median of N)")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (or OPENAI_BASE_URL)")
    p.add_argument("--model", help="model name (or VERIOPT_MODEL)")
    p.add_argument("--api-key", help="API key (prefer OPENAI_API_KEY: a flag is visible to "
                   "other users in the process list); never written to reports or the store")
    p.add_argument("--llm-timeout", type=seconds, metavar="S",
                   help=f"seconds per LLM request (default {LLM_SECONDS:g})")
    add_check_arguments(p)
    p.add_argument("--json", action="store_true",
                   help="print report.json's data on stdout (as a veriopt document)")
    p.set_defaults(run=run)


def add_check_arguments(p: argparse.ArgumentParser) -> None:
    """The checking flags `optimize` and `bench` share; `Limits.from_args`
    reads them (None: the default of veriopt.limits)."""
    p.add_argument("--timeout", type=seconds, metavar="S",
                   help=f"seconds per solver query (default {SOLVER_SECONDS:g})")
    p.add_argument("--unroll", type=int, default=0, metavar="N",
                   help="loop bound for IR and C checks (default 0: the verifier deepens "
                        "8, 16, 32, 64 within its time); a loop result is 'bounded', not proved")
    p.add_argument("--fuzz-examples", type=int, metavar="N",
                   help=f"differential inputs per candidate (default {FUZZ_EXAMPLES})")
    p.add_argument("--fuzz-seconds", type=seconds, metavar="S",
                   help=f"fuzzing time per candidate (default {FUZZ_SECONDS:g})")
    p.add_argument("--bounded", choices=("drop", "label"), default="drop",
                   help="a result checked only up to the loop bound: drop it (default) or "
                        "accept it labelled with its bound (never 'proved')")
    p.add_argument("--no-alive-tv", action="store_true",
                   help="do not re-check accepted IR rewrites with alive-tv")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def limits_from(args: argparse.Namespace) -> Limits:
    """The run's limits, built once from the command line."""
    if args.unroll < 0:
        raise BadInput("--unroll must be 0 or more")
    return Limits.from_args(args)


def parse_budget(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", text)
    if not m:
        raise BadInput(f"cannot read budget {text!r} (use e.g. 90s, 5m)")
    value = float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]
    if value <= 0:
        raise BadInput(f"budget {text!r}: give a time above 0 (e.g. 90s, 5m)")
    return value


def build_agents(args: argparse.Namespace, limits: Limits, console) -> list[Any]:
    """The selected agents (default: the offline ones, plus llm when an
    endpoint is configured); one that is not installed is skipped with a
    warning rather than ending the run."""
    from veriopt.agents import registry
    default = registry.OFFLINE
    if args.base_url or os.environ.get("OPENAI_BASE_URL"):
        default = ("llm", *default)
    endpoint = registry.Endpoint(args.base_url, args.api_key, args.model)
    agents = []
    for name in registry.parse_names(args.agents, default):
        try:
            agents.append(registry.build(name, limits, parse_budget(args.budget), endpoint))
        except (ImportError, AttributeError) as exc:
            console.print(f"[yellow]agent {name} is not available ({exc}); skipped[/]")
    return agents


def make_measure(runs: int, limits: Limits):
    """Measured timing of the best candidates."""
    from veriopt.bench.timing import measure

    def measure_record(job, rec) -> dict[str, Any]:
        t = measure(job.baseline_code, rec.candidate.code, job.task.function,
                    job.task.level, runs=runs, timeout=limits.compile_seconds)
        return {"median_ratio": float(t.median_ratio), "spread": float(t.spread),
                "runs": int(t.runs)}
    return measure_record


def disagreement_line(d: dict[str, Any]) -> str:
    """The warning for a rewrite veriopt accepted and alive-tv refuted."""
    return (f"warning: alive-tv disagrees with veriopt on candidate {d['key']} "
            f"({d['origin']}, {d['level']}): veriopt said {d['veriopt']}, alive-tv says "
            f"ERROR: {d['alive_tv_error']}; the rewrite is dropped; module saved to "
            f"{d['module'] or '(could not be saved)'}")


class Printer:
    """Progress on stderr, one line per decision; on a terminal, the
    spinner's current step instead (lines would break its drawing). A
    disagreement with alive-tv is printed even with --quiet (after the
    spinner is gone)."""

    def __init__(self, console, quiet: bool, bar=None):
        self.console = console
        self.quiet = quiet
        self.bar = bar                  # veriopt.progress bar when one is drawn
        self.later: list[str] = []
        self.start = time.monotonic()

    def __call__(self, kind: str, d: dict[str, Any]) -> None:
        t = f"[dim]{time.monotonic() - self.start:6.1f}s[/]"
        if kind == "disagreement":
            if self.bar is not None:
                self.later.append(disagreement_line(d))
            else:
                self.console.print(disagreement_line(d), markup=False)   # even with --quiet
            return
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.note(f"{kind} {d.get('agent') or ''} {d.get('status') or ''}".strip())
            return
        if kind == "verdict":
            from rich.markup import escape

            from veriopt.agents.orchestrator import DROPPED_BOUNDED
            colour = {"proved": "green", "bounded": "yellow"}.get(d["status"], "red")
            status = d["status"]
            if status == "bounded":          # never shown bare: the bound is part of it
                status = d.get("label") or status
            extra = f" ({d['error']})" if d.get("error") else ""
            cost = ""
            if d.get("cost") is not None:
                cost = f"  cost {d['cost']:g} vs baseline {d['baseline']:g}"
            acc = "  [bold green]ACCEPTED[/]" if d["accepted"] else ""
            if d.get("note") == DROPPED_BOUNDED:
                acc = f"  [yellow]{DROPPED_BOUNDED}[/] (--bounded label to keep it)"
            cached = " [dim](cached)[/]" if d.get("cached") else ""
            self.console.print(f"{t} {d['agent']}/{d['level']} {d['key']} "
                               f"[{colour}]{escape(status)}[/]{escape(extra)}{cached}{cost}{acc}")
        elif kind in ("repair", "resume", "recheck", "edge-inputs", "agent-error", "timing",
                      "alive-tv"):
            detail = " ".join(f"{k}={v}" for k, v in d.items() if v is not None)
            self.console.print(f"{t} {kind} {detail}")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from veriopt import report as reports
    from veriopt.agents import inputs
    from veriopt.agents.orchestrator import Budget, Options, Orchestrator
    from veriopt.agents.store import Store
    from veriopt.jsonout import document, dumps
    from veriopt.progress import progress, shown

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    limits = limits_from(args)
    budget = Budget(seconds=parse_budget(args.budget), tokens=args.tokens,
                    repair_rounds=args.repair_rounds)
    agents = build_agents(args, limits, console)
    levels = {lvl for a in agents for lvl in getattr(a, "task_levels", ("ir",))}
    prepared = inputs.prepare(args.input, args.function, levels or {"ir"}, limits)
    store_path = args.store or str(Path(args.report or ".veriopt") / "store.sqlite")
    store = Store(store_path)
    measure = None if args.no_timing else make_measure(args.runs, limits)
    options = Options(bounded=args.bounded, alive_tv=alive_tv_for(args),
                      artifacts=args.report or str(Path(store_path).parent))
    printer = Printer(console, args.quiet)
    orch = Orchestrator(prepared.jobs, agents, store, budget, printer, measure, options, limits)
    if not args.quiet and not shown():
        console.print(f"optimizing {prepared.function} in {prepared.path} "
                      f"({', '.join(j.task.level for j in prepared.jobs)}; agents "
                      f"{', '.join(a.name for a in agents) or 'none'}; budget "
                      f"{budget.seconds:g}s; bounded results: {args.bounded}; re-check: "
                      f"{'veriopt + alive-tv' if options.alive_tv else 'veriopt'}; "
                      f"store {store_path})")
    previous = signal.signal(signal.SIGINT, _interrupt_handler(orch))
    try:
        with progress(f"optimizing {prepared.function}", None, args.quiet) as bar:
            printer.bar = bar if shown(args.quiet) else None
            result = orch.run()
    except KeyboardInterrupt:
        kept = sum(r.accepted for r in orch.records.values())
        console.print(f"interrupted: {len(orch.records)} candidates ({kept} accepted) kept "
                      f"in {store_path}; rerun the same command to resume")
        store.close()
        return 130
    finally:
        signal.signal(signal.SIGINT, previous)
        for line in printer.later:
            console.print(line, markup=False)
    store.close()
    written = write_output(args.output, prepared, result)
    details = {a.name: a.describe() for a in agents if hasattr(a, "describe")}
    data = reports.build(result, prepared.path, prepared.kind, prepared.text, budget, details,
                         written)
    data.setdefault("skipped_not_cheaper", result.skipped_not_cheaper)
    if args.report:
        reports.write(data, _shown_source(prepared, data), args.report)
    print(dumps(document("optimize", **data)) if args.json else summary(data))
    failed = agents_that_only_failed(result.agent_stats, details)
    if failed and len(failed) == len(result.agent_stats):
        print(f"error: no agent could work ({'; '.join(failed)}); nothing was proposed, so "
              f"nothing was checked", file=sys.stderr)
        return EXIT_NO_AGENT
    return 0


def agents_that_only_failed(stats: dict[str, dict[str, Any]],
                            details: dict[str, dict[str, Any]]) -> list[str]:
    """Agents that never worked: every call raised, or (an LLM agent) every
    request to its server failed, and nothing was proposed."""
    failed = []
    for name, s in stats.items():
        about = details.get(name.split("/")[0], {})
        no_reply = about.get("requests") and not about.get("replies")
        if s["proposals"] or not (no_reply or (s["calls"] and s["errors"] >= s["calls"])):
            continue
        why = ", ".join(sorted(set(about.get("errors") or []))) or f"{s['errors']} failed calls"
        failed.append(f"{name}: {why}" + (f" from {about['base_url']}" if no_reply else ""))
    return failed


def alive_tv_for(args: argparse.Namespace) -> str | None:
    """The alive-tv executable for the re-check, unless disabled or absent."""
    if args.no_alive_tv:
        return None
    from veriopt.verify.alive_tv import find_alive_tv
    return find_alive_tv()


def _interrupt_handler(orch):
    """Ctrl-C: flag the orchestrator (so a library that turns the
    KeyboardInterrupt into another error cannot hide it) and raise."""
    import z3
    z3.set_param("ctrl_c", False)     # let Ctrl-C reach Python, not cancel one Z3 query

    def handler(signum, frame):
        orch.interrupted = True
        raise KeyboardInterrupt
    return handler


def _shown_source(prepared, data: dict[str, Any]) -> str:
    """What the diff compares the result with: the input at the result's level."""
    res = data["result"]
    if res is not None and res["level"] == "ir" and prepared.kind == "c":
        return prepared.jobs[0].task.source     # clang -O3 IR of the C input
    return prepared.text


def write_output(path: str | None, prepared, result) -> str | None:
    """The optimized code: IR for IR input; C for C input (the best C
    candidate, else the input unchanged), with an IR result beside it."""
    if not path:
        return None
    best = result.best("ir" if prepared.kind == "ir" else "c")
    Path(path).write_text(best.candidate.code if best else prepared.text)
    overall = result.best()
    if prepared.kind == "c" and overall is not None and overall.candidate.level == "ir":
        Path(path + ".ll").write_text(overall.candidate.code)
        return path + ".ll"
    return path


def summary(data: dict[str, Any]) -> str:
    from veriopt.agents.orchestrator import DROPPED_BOUNDED
    from veriopt.report import alive_line, checked_by_text, proof_text, speedup_line
    res = data["result"]
    base = data["baseline"]["cost"]
    rc = data["rechecks"]
    lines = [f"function: {data['function']}", f"baseline cost: {base['weighted']:g} "
             f"({base['instructions']} instructions)"]
    if res is None:
        lines.append("result: no proved improvement")
    else:
        lines += [f"result: {res['level']} candidate {res['key']} from {res['origin']}: "
                  f"{proof_text(res)}",
                  f"checked by: {checked_by_text(res, data)}",
                  f"cost: {res['cost']['weighted']:g} ({res['cost']['instructions']} "
                  f"instructions), {100 * res['cost_reduction']:.1f}% below baseline",
                  speedup_line(res)]
    lines.append(f"candidates: {len(data['candidates'])}, accepted "
                 f"{sum(c['accepted'] for c in data['candidates'])}, skipped as not cheaper "
                 f"than the best known {data.get('skipped_not_cheaper', 0)}, re-check failures "
                 f"{rc['failed']} of {rc['checked']}; {alive_line(data)}")
    dropped = data["dropped"]["bounded_only"]
    if dropped:
        lines.append(f"{DROPPED_BOUNDED}: {len(dropped)} candidate(s) ({', '.join(dropped)}); "
                     "rerun with --bounded label to accept them, labelled")
    for d in data["disagreements"]:
        lines.append(f"disagreement: alive-tv refuted {d['key']} ({d['origin']}): "
                     f"ERROR: {d['alive_tv_error']}; dropped; module {d['module']}")
    return "\n".join(lines)
