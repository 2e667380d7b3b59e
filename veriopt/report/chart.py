"""The speed-up chart of the HTML report: an inline SVG bar chart (no
script, no library, readable offline), one group of bars per accepted
candidate: its static speed-up (baseline cost / candidate cost) and, when
it was timed, its measured speed-up (baseline time / candidate time),
against a dashed line at ×1, the baseline."""
from __future__ import annotations

import html
from typing import Any

from veriopt.report.summary import speedup, static_speedup

BAR_COLOURS = {"static": "#4c78a8", "measured": "#e45756"}   # the screenshot test reads these
WIDTH, LABEL_W, VALUE_W, BAR_H, TOP = 760, 250, 70, 16, 40


def speedup_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per accepted candidate: label, status, static and measured speed-up."""
    return [{"label": f"{c['key']} ({c['level']}, {c['origin']})", "status": c["status"],
             "static": static_speedup(report, c), "measured": speedup(c.get("timing"))}
            for c in report["candidates"] if c["accepted"] and c.get("cost")]


def speedup_chart(report: dict[str, Any]) -> str | None:
    """The chart as an <svg> element, or None when nothing was accepted."""
    rows = speedup_rows(report)
    if not rows:
        return None
    values = [v for r in rows for v in (r["static"], r["measured"]) if v]
    scale = (WIDTH - LABEL_W - VALUE_W) / max(1.0, *values)
    y = TOP
    parts = []
    for r in rows:
        bars = [(k, r[k]) for k in ("static", "measured") if r[k]]
        height = len(bars) * (BAR_H + 4) + 14
        parts.append(f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 3}" text-anchor="end" '
                     f'class="lbl">{html.escape(r["label"])}</text>')
        if r["status"] != "proved":
            parts.append(f'<text x="{LABEL_W - 8}" y="{y + 2 * BAR_H}" text-anchor="end" '
                         f'class="warnlbl">{html.escape(r["status"])}, not a proof</text>')
        for n, (kind, value) in enumerate(bars):
            top = y + n * (BAR_H + 4)
            width = max(1.0, value * scale)
            parts.append(f'<rect x="{LABEL_W}" y="{top}" width="{width:.1f}" height="{BAR_H}" '
                         f'fill="{BAR_COLOURS[kind]}"><title>{kind}: ×{value:.2f}</title></rect>'
                         f'<text x="{LABEL_W + width + 6:.1f}" y="{top + BAR_H - 3}" '
                         f'class="val">×{value:.2f}</text>')
        y += height
    one = LABEL_W + scale
    parts.append(f'<line x1="{one:.1f}" y1="{TOP - 6}" x2="{one:.1f}" y2="{y}" stroke="#57606a" '
                 f'stroke-dasharray="4 3"/><text x="{one:.1f}" y="{y + 14}" text-anchor="middle" '
                 f'class="val">×1 baseline</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y + 22}" '
            f'role="img" aria-label="speed-ups of the accepted candidates" class="chart">'
            f"<style>.lbl{{font:12px ui-monospace,monospace;fill:#24292f}}"
            f".val{{font:12px system-ui,sans-serif;fill:#24292f}}"
            f".warnlbl{{font:11px system-ui,sans-serif;fill:#9a6700}}</style>"
            + _legend() + "".join(parts) + "</svg>")


def _legend() -> str:
    items = [("static", "static cost: baseline / candidate"),
             ("measured", "measured time: baseline / candidate (median)")]
    out, x = [], LABEL_W
    for kind, text in items:
        out.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{BAR_COLOURS[kind]}"/>'
                   f'<text x="{x + 17}" y="18" class="val">{html.escape(text)}</text>')
        x += 17 + 7 * len(text) + 24
    return "".join(out)
