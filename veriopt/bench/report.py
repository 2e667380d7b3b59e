"""Reports of an optimizer run: report.json for machines (schema in
docs/report-schema.md; bump SCHEMA when a field changes meaning), and
report.md / report.html for people.

The JSON is built once (`build`) and the two human reports are rendered
from it alone, so what a person reads is exactly what a machine reads.
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

SCHEMA = "veriopt.report/1"
PROVED = ("proved", "bounded")


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
        "rechecks": result.rechecks,
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
    return {"key": best.key, "level": best.candidate.level, "origin": best.candidate.origin,
            "code": best.candidate.code, "output": output_path,
            "cost": best.cost, "cost_reduction": round(reduction, 4),
            "proof": best.status, "label": best.label, "verdict": best.verdict,
            "timing": best.timing}


def _candidate(r: Record) -> dict[str, Any]:
    return {"key": r.key, "parent": r.candidate.parent, "level": r.candidate.level,
            "origin": r.candidate.origin, "rationale": r.candidate.rationale,
            "round": r.round, "status": r.status, "label": r.label,
            "accepted": r.accepted, "note": r.note, "cost": r.cost, "verdict": r.verdict,
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


# ---------------------------------------------------------------- Markdown

def markdown(report: dict[str, Any], source: str) -> str:
    res = report["result"]
    out = [f"# veriopt: `{report['function']}` in `{report['input']['path']}`", ""]
    out.append(f"- baseline cost: {_cost(report['baseline']['cost'])}")
    if res is None:
        out.append("- result: **no proved improvement** (the input is kept)")
    else:
        out += [f"- result: **{res['level']}** candidate `{res['key']}` from `{res['origin']}`",
                f"- proof: **{res['proof']}** — {res['label']}",
                f"- cost: {_cost(res['cost'])}, {100 * res['cost_reduction']:.1f}% below baseline",
                f"- {speedup_line(res)}"]
    rc = report["rechecks"]
    out.append(f"- re-checked before reporting: {rc['checked']} accepted, {rc['failed']} failed")
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
    out += ["", "## Candidates", "", "| key | level | origin | round | status | cost | accepted | note |",
            "|---|---|---|---|---|---|---|---|"]
    for c in report["candidates"]:
        out.append(f"| `{c['key']}` | {c['level']} | {c['origin']} | {c['round']} | {c['status']} "
                   f"| {_cost(c['cost'])} | {'yes' if c['accepted'] else 'no'} | {c['note'] or ''} |")
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
table.diff td{border:none;font-family:ui-monospace,monospace;font-size:12px;white-space:pre}
.diff_add{background:#dfd}.diff_chg{background:#ffa}.diff_sub{background:#fdd}
.diff_header{color:#888}.diff_next{display:none}
"""


def _status(status: str) -> str:
    cls = "ok" if status in PROVED else "bad"
    return f'<span class="{cls}">{html.escape(status)}</span>'


def html_page(report: dict[str, Any], source: str) -> str:
    e = html.escape
    res = report["result"]
    parts = [f"<h1>veriopt: <code>{e(report['function'])}</code> in "
             f"<code>{e(report['input']['path'])}</code></h1>", "<ul>",
             f"<li>baseline cost: {e(_cost(report['baseline']['cost']))}</li>"]
    if res is None:
        parts.append("<li>result: <b>no proved improvement</b> (the input is kept)</li></ul>")
    else:
        parts += [f"<li>result: {e(res['level'])} candidate <code>{e(res['key'])}</code> from "
                  f"{e(res['origin'])}</li>",
                  f"<li>proof: {_status(res['proof'])} — {e(res['label'] or '')}</li>",
                  f"<li>cost: {e(_cost(res['cost']))}, {100 * res['cost_reduction']:.1f}% below "
                  "baseline</li>", f"<li>{e(speedup_line(res))}</li>"]
    rc = report["rechecks"]
    parts.append(f"<li>re-checked: {rc['checked']} accepted, {rc['failed']} failed</li></ul>")
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
              "<th>round</th><th>status</th><th>cost</th><th>accepted</th><th>note</th></tr>"]
    for c in report["candidates"]:
        parts.append(f"<tr><td><code>{e(c['key'])}</code></td><td>{e(c['level'])}</td>"
                     f"<td>{e(c['origin'])}</td><td>{c['round']}</td><td>{_status(c['status'])}"
                     f"</td><td>{e(_cost(c['cost']))}</td><td>{'yes' if c['accepted'] else 'no'}"
                     f"</td><td>{e(c['note'] or '')}</td></tr>")
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
