"""report.html: the report for people who open it in a browser. One
self-contained file (inline CSS and SVG, no script, no external asset), so
it can be attached to an issue or archived and read without a network.

Only layout: the sentences come from `summary` (the same facts as
report.md and the terminal), the diff from `html_diff`, the chart from
`chart`. Everything taken from the run is HTML-escaped here or there."""
from __future__ import annotations

import html
from typing import Any

from veriopt.report.chart import speedup_chart
from veriopt.report.highlight import TOKEN_CSS
from veriopt.report.html_diff import DIFF_CSS, side_by_side
from veriopt.report.summary import (cost_text, facts, lineage, proof_details, rejected,
                                    tone, verdict_text)

PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em 2em;color:#24292f;
  max-width:1200px;line-height:1.45}
h1 code{font-size:.85em}
h1{font-size:1.5em;border-bottom:1px solid #d0d7de;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #eaeef2;padding-bottom:.2em}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;border-radius:6px}
table.grid{border-collapse:collapse;margin:.5em 0;font-size:13px}
table.grid td,table.grid th{border:1px solid #d0d7de;padding:3px 8px;vertical-align:top;
  text-align:left}
table.grid th{background:#f6f8fa}
ul.facts li{margin:.15em 0}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#cf222e;font-weight:bold}
.warn{color:#9a6700;font-weight:bold}
code.cmd{background:#f6f8fa;padding:2px 6px;border-radius:4px;border:1px solid #d0d7de}
"""


def _tone(status: str) -> str:
    """A status word in its colour: only `proved` is green; `bounded` amber."""
    return f'<span class="{tone(status)}">{html.escape(status)}</span>'


def html_page(report: dict[str, Any], source: str) -> str:
    """The whole report.html for `report`; `source` is what the result is
    compared with (the input at the result's level)."""
    e = html.escape
    res = report["result"]
    parts = [f"<h1>veriopt: <code>{e(report['function'])}</code> in "
             f"<code>{e(report['input']['path'])}</code></h1>", '<ul class="facts">']
    for f in facts(report):
        mark = f'<span class="{f.tone}">{e(f.mark)}</span> — ' if f.mark else ""
        parts.append(f"<li>{e(f.name)}: {mark}{e(f.text)}</li>")
    parts.append("</ul>")
    if res is not None:
        parts += _proof(res, report)
    chart = speedup_chart(report)
    if chart:
        parts += ["<h2>Speed-ups of the accepted candidates</h2>", chart]
    if res is not None:
        parts += ["<h2>Original and result</h2>",
                  side_by_side(source, res["code"], "c" if res["level"] == "c" else "ir"),
                  "<h2>Steps to the result</h2><ol>"]
        for step in lineage(report, res["key"]):
            parts.append(f"<li><code>{e(step['key'])}</code> ({e(step['origin'])}, round "
                         f"{step['round']}): {_tone(step['status'])}{_label(step)}</li>")
        parts.append("</ol>")
    parts += _disagreements(report) + _candidates(report)
    rej = rejected(report)
    if rej:
        parts.append("<h2>Counterexamples of rejected proposals</h2>")
        for c in rej:
            parts.append(f"<h3><code>{e(c['key'])}</code> ({e(c['origin'])}, round {c['round']})"
                         f"</h3><pre>{e(verdict_text(c))}</pre>")
    title = e(f"veriopt report: {report['function']}")
    css = PAGE_CSS + TOKEN_CSS + DIFF_CSS
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{css}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def _label(c: dict[str, Any]) -> str:
    """A candidate's label after its status, unless it only repeats it."""
    label = c.get("label")
    return f" — {html.escape(label)}" if label and label != c["status"] else ""


def _proof(res: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The proof as what it is: checkers, verdict (with its colour), bound,
    fuzzing, and the command lines that check it again."""
    e = html.escape
    rows = []
    for name, text in proof_details(res, report):
        if name == "verdict":
            value = f"{_tone(res['proof'])} — {e(text)}"
        elif name == "re-run":
            value = f'<code class="cmd">{e(text)}</code>'
        else:
            value = e(text)
        rows.append(f"<tr><th>{e(name)}</th><td>{value}</td></tr>")
    where = ("in the report directory (this page's folder), where <code>before.*</code> and "
             "<code>after.*</code> hold the two sides of the diff below")
    return ["<h2>Proof</h2>", '<table class="grid">', *rows, "</table>",
            f"<p>Run the re-run command(s) {where}.</p>"]


def _disagreements(report: dict[str, Any]) -> list[str]:
    if not report["disagreements"]:
        return []
    e = html.escape
    parts = ['<h2 class="bad">Disagreements with alive-tv</h2><ul>']
    for d in report["disagreements"]:
        parts.append(f"<li><code>{e(d['key'])}</code> ({e(d['origin'])}): veriopt "
                     f"{e(d['veriopt'])}, alive-tv {e(d['alive_tv'])} (ERROR: "
                     f"{e(d['alive_tv_error'] or '')}); module "
                     f"<code>{e(d['module'] or 'not saved')}</code></li>")
    return parts + ["</ul>"]


def _candidates(report: dict[str, Any]) -> list[str]:
    e = html.escape
    parts = ['<h2>Candidates</h2><table class="grid"><tr><th>key</th><th>level</th>'
             "<th>origin</th><th>round</th><th>status</th><th>cost</th><th>accepted</th>"
             "<th>checked by</th><th>note</th></tr>"]
    for c in report["candidates"]:
        bound = f" ({e(c['label'])})" if c["status"] == "bounded" and c.get("label") else ""
        parts.append(f"<tr><td><code>{e(c['key'])}</code></td><td>{e(c['level'])}</td>"
                     f"<td>{e(c['origin'])}</td><td>{c['round']}</td><td>{_tone(c['status'])}"
                     f"{bound}</td><td>{e(cost_text(c['cost']))}</td>"
                     f"<td>{'yes' if c['accepted'] else 'no'}</td>"
                     f"<td>{e(' + '.join(c['checked_by']))}</td><td>{e(c['note'] or '')}</td></tr>")
    return parts + ["</table>"]
