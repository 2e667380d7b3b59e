"""Reports of an optimizer run: report.json for machines (schema in
docs/report-schema.md; bump SCHEMA when a field changes meaning), and
report.md / report.html for people.

The JSON is built once (`build`) and the two human reports are rendered
from it alone, so what a person reads is exactly what a machine reads.
Nothing only `bounded` (checked up to a loop bound) is ever shown or
counted as proved, and every result says which checker(s) confirmed it
(veriopt, and alive-tv when it re-checked an IR rewrite).
The HTML page is self-contained (inline CSS, no scripts, no external
assets) so it can be attached to an issue or archived as one file.
"""
from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from veriopt.agents.orchestrator import Budget, Record, RunResult
from veriopt.verify.verdict import verdict_from_json

SCHEMA = "veriopt.report/2"


def build(result: RunResult, input_path: str, input_kind: str, input_text: str,
          budget: Budget, agents: dict[str, Any] | None = None,
          output_path: str | None = None) -> dict[str, Any]:
    """The report as plain data (what report.json holds)."""
    best = result.best()
    jobs = {j.task.level: j for j in result.jobs}
    baseline_cost = min((j.baseline_cost for j in result.jobs),
                        key=lambda c: (c["weighted"], c["instructions"]))
    return {
        "schema": SCHEMA,
        "input": {"path": input_path, "kind": input_kind,
                  "sha256": hashlib.sha256(input_text.encode()).hexdigest()},
        "function": result.jobs[0].task.function,
        "baseline": {"cost": baseline_cost,
                     "levels": {lvl: {"cost": j.baseline_cost} for lvl, j in jobs.items()}},
        "result": None if best is None else _result(best, jobs[best.candidate.level]
                                                    .baseline_cost, output_path),
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


def _result(best: Record, baseline: dict[str, Any], output_path: str | None) -> dict[str, Any]:
    reduction = 1.0 - best.cost["weighted"] / baseline["weighted"] if baseline["weighted"] else 0.0
    bound = (best.verdict or {}).get("bound") if best.status == "bounded" else None
    return {"key": best.key, "level": best.candidate.level, "origin": best.candidate.origin,
            "code": best.candidate.code, "output": output_path,
            "cost": best.cost, "cost_reduction": round(reduction, 4),
            "proof": best.status, "bound": bound, "label": best.label,
            "checked_by": list(best.checked_by), "alive_tv": best.alive_tv,
            "verdict": best.verdict, "timing": best.timing}


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
            "cached": r.cached, "resumed": r.resumed, "code": r.candidate.code}


# ---------------------------------------------------------------- helpers

def lineage(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The steps that led to candidate `key`: its repair chain, oldest first."""
    by_key = {c["key"]: c for c in report["candidates"]}
    chain = []
    while key in by_key and len(chain) < 64:
        chain.append(by_key[key])
        key = by_key[key]["parent"]
    return list(reversed(chain))


def rejected(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report["candidates"] if c["verdict"] and c["status"] == "refuted"]


def verdict_text(c: dict[str, Any]) -> str:
    return verdict_from_json(c["verdict"]).render() if c.get("verdict") else c["status"]


def proof_text(res: dict[str, Any]) -> str:
    """How a result was established, in words that never call a bounded
    check a proof: `proved (...)` or `bounded, K iterations, ... — not a proof`."""
    if res["proof"] == "bounded":
        return f"{res['label'] or 'bounded'} — not a proof"
    label = res.get("label")
    if not label:
        return res["proof"]
    return label if label.startswith(res["proof"]) else f"{res['proof']} ({label})"


def checked_by_text(item: dict[str, Any], report: dict[str, Any]) -> str:
    """`veriopt + alive-tv`, or `veriopt` and why alive-tv did not confirm it."""
    text = " + ".join(item.get("checked_by") or ["veriopt"])
    alive = item.get("alive_tv")
    if alive is not None and alive["status"] == "incorrect":
        text += f" (alive-tv refuted it: ERROR: {alive.get('error')})"
    elif alive is not None and alive["status"] != "correct":
        why = f": {alive['error']}" if alive.get("error") else ""
        text += f" (alive-tv could not decide, {alive['status']}{why}; veriopt's result kept)"
    elif alive is None and item.get("level") == "c":
        text += " (alive-tv re-checks IR rewrites only)"
    elif alive is None and not report["policy"]["alive_tv"]:
        text += " (alive-tv not available or disabled)"
    return text



def speedup_line(result: dict[str, Any]) -> str:
    timing = result.get("timing") or {}
    if "median_ratio" in timing:
        ratio = timing["median_ratio"]
        text = f"measured speed-up ×{1 / ratio:.2f}" if ratio > 0 else "measured: no time"
        text += f" (candidate/baseline time ratio {ratio:.3f}, median of {timing.get('runs')}"
        if timing.get("spread") is not None:
            text += f", spread (IQR) {timing['spread']:.3f}"
        return text + ")"
    if "error" in timing:
        return f"not measured ({timing['error']})"
    return "not measured (static cost only)"


def _cost(c: dict[str, Any] | None) -> str:
    if not c:
        return "–"
    text = f"{c['weighted']:g} ({c['instructions']} instr"
    if c.get("mca_cycles") is not None:
        text += f", {c['mca_cycles']:g} mca cycles"
    return text + ")"


def _status_text(c: dict[str, Any]) -> str:
    """A candidate's status; a bounded one with its bound (never just 'ok')."""
    return c["label"] if c["status"] == "bounded" and c.get("label") else c["status"]


def alive_line(report: dict[str, Any]) -> str:
    a = report["rechecks"]["alive_tv"]
    if not report["policy"]["alive_tv"]:
        return "alive-tv: not available or disabled (veriopt only)"
    text = (f"alive-tv re-checked {a['checked']} IR rewrite(s): {a['correct']} correct, "
            f"{a['incorrect']} incorrect")
    return text + (f", {a['undecided']} undecided" if a["undecided"] else "")


# ---------------------------------------------------------------- Markdown

def markdown(report: dict[str, Any], source: str) -> str:
    res = report["result"]
    out = [f"# veriopt: `{report['function']}` in `{report['input']['path']}`", ""]
    out.append(f"- baseline cost: {_cost(report['baseline']['cost'])}")
    if res is None:
        out.append("- result: **no proved improvement** (the input is kept)")
    else:
        out += [f"- result: **{res['level']}** candidate `{res['key']}` from `{res['origin']}`",
                f"- proof: **{res['proof']}** — {proof_text(res)}",
                f"- checked by: {checked_by_text(res, report)}",
                f"- cost: {_cost(res['cost'])}, {100 * res['cost_reduction']:.1f}% below baseline",
                f"- {speedup_line(res)}"]
    rc = report["rechecks"]
    out.append(f"- re-checked before reporting: {rc['checked']} accepted, {rc['failed']} failed; "
               + alive_line(report))
    dropped = report["dropped"]["bounded_only"]
    if dropped:
        out.append(f"- dropped: bounded only: {len(dropped)} candidate(s) checked only up to a "
                   f"loop bound (policy `--bounded {report['policy']['bounded']}`)")
    if report["disagreements"]:
        out.append(f"- **alive-tv disagreed on {len(report['disagreements'])} rewrite(s)**: "
                   "dropped (see below)")
    run = report["run"]
    out.append(f"- run `{run['id']}`: {run['elapsed_seconds']:.1f}s, {run['verifications']} "
               f"verifications, {run['cache_hits']} cache hits"
               + (", resumed from the store" if run["resumed"] else ""))
    if res is not None:
        out += ["", "## Diff", "", "```diff"]
        out += difflib.unified_diff(source.splitlines(), res["code"].splitlines(),
                                    "original", "result", lineterm="")
        out += ["```", "", "## Steps to the result", ""]
        for step in lineage(report, res["key"]):
            out.append(f"1. `{step['key']}` ({step['origin']}, round {step['round']}): "
                       f"**{step['status']}**" + (f" — {step['label']}" if step["label"] else "")
                       + (f" — _{step['rationale']}_" if step["rationale"] else ""))
    if report["disagreements"]:
        out += ["", "## Disagreements with alive-tv", "",
                "veriopt accepted these rewrites and alive-tv refuted them; they were dropped. "
                "One of the two checkers is wrong: please report it with the saved module.", ""]
        for d in report["disagreements"]:
            out.append(f"- `{d['key']}` ({d['origin']}): veriopt **{d['veriopt']}**, alive-tv "
                       f"**{d['alive_tv']}** (`ERROR: {d['alive_tv_error']}`); module: "
                       f"`{d['module'] or 'not saved'}`")
    out += ["", "## Candidates", "",
            "| key | level | origin | round | status | cost | accepted | checked by | note |",
            "|---|---|---|---|---|---|---|---|---|"]
    for c in report["candidates"]:
        out.append(f"| `{c['key']}` | {c['level']} | {c['origin']} | {c['round']} "
                   f"| {_status_text(c)} | {_cost(c['cost'])} | {'yes' if c['accepted'] else 'no'} "
                   f"| {' + '.join(c['checked_by'])} | {c['note'] or ''} |")
    rej = rejected(report)
    if rej:
        out += ["", "## Counterexamples of rejected proposals", ""]
        for c in rej:
            out += [f"### `{c['key']}` ({c['origin']}, round {c['round']})", "", "```",
                    verdict_text(c), "```", ""]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
code,pre,td.code{font-family:ui-monospace,monospace;font-size:12px}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
.ok{color:#087f23;font-weight:bold}.bad{color:#b00020;font-weight:bold}
.warn{color:#a15c00;font-weight:bold}
table.diff td{border:none;font-family:ui-monospace,monospace;font-size:12px;white-space:pre}
.diff_add{background:#dfd}.diff_chg{background:#ffa}.diff_sub{background:#fdd}
.diff_header{color:#888}.diff_next{display:none}
"""


def _status(status: str) -> str:
    """Only `proved` is green; `bounded` (not a proof) is amber."""
    cls = {"proved": "ok", "bounded": "warn"}.get(status, "bad")
    return f'<span class="{cls}">{html.escape(status)}</span>'


def html_page(report: dict[str, Any], source: str) -> str:
    e = html.escape
    res = report["result"]
    parts = [f"<h1>veriopt: <code>{e(report['function'])}</code> in "
             f"<code>{e(report['input']['path'])}</code></h1>", "<ul>",
             f"<li>baseline cost: {e(_cost(report['baseline']['cost']))}</li>"]
    if res is None:
        parts.append("<li>result: <b>no proved improvement</b> (the input is kept)</li>")
    else:
        parts += [f"<li>result: {e(res['level'])} candidate <code>{e(res['key'])}</code> from "
                  f"{e(res['origin'])}</li>",
                  f"<li>proof: {_status(res['proof'])} — {e(proof_text(res))}</li>",
                  f"<li>checked by: {e(checked_by_text(res, report))}</li>",
                  f"<li>cost: {e(_cost(res['cost']))}, {100 * res['cost_reduction']:.1f}% below "
                  "baseline</li>", f"<li>{e(speedup_line(res))}</li>"]
    rc = report["rechecks"]
    parts.append(f"<li>re-checked: {rc['checked']} accepted, {rc['failed']} failed; "
                 f"{e(alive_line(report))}</li>")
    dropped = report["dropped"]["bounded_only"]
    if dropped:
        parts.append(f"<li>dropped: bounded only: {len(dropped)} candidate(s)</li>")
    parts.append("</ul>")
    if report["disagreements"]:
        parts.append('<h2 class="bad">Disagreements with alive-tv</h2><ul>')
        for d in report["disagreements"]:
            parts.append(f"<li><code>{e(d['key'])}</code> ({e(d['origin'])}): veriopt "
                         f"{e(d['veriopt'])}, alive-tv {e(d['alive_tv'])} (ERROR: "
                         f"{e(d['alive_tv_error'] or '')}); module "
                         f"<code>{e(d['module'] or 'not saved')}</code></li>")
        parts.append("</ul>")
    if res is not None:
        table = difflib.HtmlDiff(wrapcolumn=90).make_table(
            source.splitlines(), res["code"].splitlines(), "original", "result")
        table = re.sub(r'<a href="#[^"]*">(.*?)</a>', r"\1", table)   # difflib's jump links
        parts += ["<h2>Original and result</h2>", table, "<h2>Steps to the result</h2><ol>"]
        for step in lineage(report, res["key"]):
            parts.append(f"<li><code>{e(step['key'])}</code> ({e(step['origin'])}, round "
                         f"{step['round']}): {_status(step['status'])} {e(step['label'] or '')}</li>")
        parts.append("</ol>")
    parts += ["<h2>Candidates</h2><table><tr><th>key</th><th>level</th><th>origin</th>"
              "<th>round</th><th>status</th><th>cost</th><th>accepted</th><th>checked by</th>"
              "<th>note</th></tr>"]
    for c in report["candidates"]:
        bound = f" ({e(c['label'])})" if c["status"] == "bounded" and c.get("label") else ""
        parts.append(f"<tr><td><code>{e(c['key'])}</code></td><td>{e(c['level'])}</td>"
                     f"<td>{e(c['origin'])}</td><td>{c['round']}</td><td>{_status(c['status'])}"
                     f"{bound}</td><td>{e(_cost(c['cost']))}</td>"
                     f"<td>{'yes' if c['accepted'] else 'no'}</td>"
                     f"<td>{e(' + '.join(c['checked_by']))}</td><td>{e(c['note'] or '')}</td></tr>")
    parts.append("</table>")
    rej = rejected(report)
    if rej:
        parts.append("<h2>Counterexamples of rejected proposals</h2>")
        for c in rej:
            parts.append(f"<h3><code>{e(c['key'])}</code> ({e(c['origin'])}, round {c['round']})"
                         f"</h3><pre>{e(verdict_text(c))}</pre>")
    title = e(f"veriopt report: {report['function']}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def write(report: dict[str, Any], source: str, directory: str | Path) -> list[Path]:
    """report.json, report.md and report.html in `directory`."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "report.json", out / "report.md", out / "report.html"]
    files[0].write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    files[1].write_text(markdown(report, source))
    files[2].write_text(html_page(report, source))
    return files
