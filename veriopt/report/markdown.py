"""report.md: the report for people who read it in a repository or an
issue. Only layout: every sentence comes from `summary` (the same facts
the HTML page and the terminal show)."""
from __future__ import annotations

import difflib
from typing import Any

from veriopt.report.summary import (cost_text, facts, lineage, proof_details, rejected,
                                    status_text, verdict_text)


def markdown(report: dict[str, Any], source: str) -> str:
    """The whole report.md for `report`; `source` is what the result is
    compared with (the input at the result's level)."""
    res = report["result"]
    out = [f"# veriopt: `{report['function']}` in `{report['input']['path']}`", ""]
    for f in facts(report):
        out.append(f"- {f.name}: " + (f"**{f.mark}** — {f.text}" if f.mark else f.text))
    if res is not None:
        out += ["", "## Proof", ""]
        out += [f"- {name}: `{text}`" if name == "re-run" else f"- {name}: {text}"
                for name, text in proof_details(res, report)]
        out += ["", "## Diff", "", "```diff"]
        out += difflib.unified_diff(source.splitlines(), res["code"].splitlines(),
                                    "original", "result", lineterm="")
        out += ["```", "", "## Steps to the result", ""]
        for step in lineage(report, res["key"]):
            out.append(f"1. `{step['key']}` ({step['origin']}, round {step['round']}): "
                       f"**{step['status']}**"
                       + (f" — {step['label']}" if step["label"] not in (None, step["status"])
                          else "")
                       + (f" — _{step['rationale']}_" if step["rationale"] else ""))
    out += _disagreements(report)
    out += ["", "## Candidates", "",
            "| key | level | origin | round | status | cost | accepted | checked by | note |",
            "|---|---|---|---|---|---|---|---|---|"]
    for c in report["candidates"]:
        out.append(f"| `{c['key']}` | {c['level']} | {c['origin']} | {c['round']} "
                   f"| {status_text(c)} | {cost_text(c['cost'])} "
                   f"| {'yes' if c['accepted'] else 'no'} "
                   f"| {' + '.join(c['checked_by'])} | {c['note'] or ''} |")
    rej = rejected(report)
    if rej:
        out += ["", "## Counterexamples of rejected proposals", ""]
        for c in rej:
            out += [f"### `{c['key']}` ({c['origin']}, round {c['round']})", "", "```",
                    verdict_text(c), "```", ""]
    return "\n".join(out) + "\n"


def _disagreements(report: dict[str, Any]) -> list[str]:
    if not report["disagreements"]:
        return []
    out = ["", "## Disagreements with alive-tv", "",
           "veriopt accepted these rewrites and alive-tv refuted them; they were dropped. "
           "One of the two checkers is wrong: please report it with the saved module.", ""]
    for d in report["disagreements"]:
        out.append(f"- `{d['key']}` ({d['origin']}): veriopt **{d['veriopt']}**, alive-tv "
                   f"**{d['alive_tv']}** (`ERROR: {d['alive_tv_error']}`); module: "
                   f"`{d['module'] or 'not saved'}`")
    return out
