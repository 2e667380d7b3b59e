"""The side-by-side diff of the HTML report: original on the left, result
on the right, line-aligned, removed lines red and added lines green, with
syntax colour; long unchanged stretches folded to a line that says how
many were left out. Everything that comes from code is HTML-escaped (by
the highlighter)."""
from __future__ import annotations

import difflib

from veriopt.report.highlight import highlight_lines

# background colours of removed/added lines (and the darker gutter), one place:
# the CSS below and the screenshot test read them from here
DIFF_COLOURS = {"del": "#ffd7d5", "add": "#ccffd8", "del-gutter": "#ff8182",
                "add-gutter": "#6fdd8b"}

DIFF_CSS = f"""
table.sbs{{border-collapse:collapse;width:100%;table-layout:fixed;margin:.5em 0;
  font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}}
table.sbs td{{border:none;padding:0 6px;vertical-align:top;line-height:1.5}}
table.sbs td.code{{white-space:pre-wrap;word-break:break-all}}
table.sbs td.num{{width:3em;text-align:right;color:#8c959f;user-select:none}}
table.sbs td.sign{{width:1em;text-align:center;user-select:none}}
table.sbs th{{text-align:left;background:#f6f8fa;border:1px solid #d0d7de;padding:4px 6px}}
table.sbs td.del{{background:{DIFF_COLOURS['del']}}}
table.sbs td.add{{background:{DIFF_COLOURS['add']}}}
table.sbs td.sign.del{{background:{DIFF_COLOURS['del-gutter']}}}
table.sbs td.sign.add{{background:{DIFF_COLOURS['add-gutter']}}}
table.sbs td.none{{background:#f6f8fa}}
table.sbs tr.fold td{{background:#ddf4ff;color:#57606a;text-align:center;font-style:italic}}
table.sbs td.num.r{{border-left:1px solid #d0d7de}}
"""

Cell = tuple[int, str] | None          # (1-based line number, highlighted HTML) or nothing


def side_by_side(before: str, after: str, lang: str, context: int = 3) -> str:
    """An HTML table: one row per aligned pair of lines. A replaced block
    pairs its lines in order; what one side has more is shown against an
    empty cell. Unchanged runs longer than 2*context+1 are folded."""
    old, new = before.splitlines(), after.splitlines()
    old_html, new_html = highlight_lines(before, lang), highlight_lines(after, lang)
    rows = ['<table class="sbs"><colgroup><col style="width:3.5em"><col style="width:1.5em">'
            '<col><col style="width:3.5em"><col style="width:1.5em"><col></colgroup>',
            '<tr><th colspan="3">original</th><th colspan="3">result</th></tr>']
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows += _equal_rows(i1, i2, j1, old_html, new_html, context,
                                first=n == 0, last=n == len(opcodes) - 1)
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            left = (i1 + k + 1, old_html[i1 + k]) if i1 + k < i2 else None
            right = (j1 + k + 1, new_html[j1 + k]) if j1 + k < j2 else None
            rows.append(_row(left, right, "del", "add"))
    rows.append("</table>")
    return "\n".join(rows)


def _equal_rows(i1: int, i2: int, j1: int, old_html: list[str], new_html: list[str],
                context: int, first: bool, last: bool) -> list[str]:
    """Unchanged lines; the middle of a long run folded (all of it kept at
    neither end of the file, so the change is always seen in context)."""
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    length = i2 - i1
    shown = range(length)
    folded = 0
    if length > keep_head + keep_tail + 1 and not (first and last):
        shown = [*range(keep_head), *range(length - keep_tail, length)]
        folded = length - keep_head - keep_tail
    rows = []
    for k in shown:
        if folded and k == length - keep_tail:
            rows.append(_fold(folded))
        rows.append(_row((i1 + k + 1, old_html[i1 + k]), (j1 + k + 1, new_html[j1 + k]),
                         "", ""))
    if folded and keep_tail == 0:
        rows.append(_fold(folded))
    return rows


def _fold(count: int) -> str:
    return f'<tr class="fold"><td colspan="6">⋯ {count} unchanged line(s) not shown ⋯</td></tr>'


def _row(left: Cell, right: Cell, left_class: str, right_class: str) -> str:
    return f"<tr>{_cells(left, left_class, '−', '')}{_cells(right, right_class, '+', ' r')}</tr>"


def _cells(cell: Cell, cls: str, sign: str, side: str) -> str:
    if cell is None:
        return f'<td class="num none{side}"></td><td class="sign none"></td><td class="code none"></td>'
    number, code = cell
    mark = sign if cls else ""
    return (f'<td class="num{side} {cls}">{number}</td><td class="sign {cls}">{mark}</td>'
            f'<td class="code {cls}">{code}</td>')
