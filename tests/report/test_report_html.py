"""The HTML report as a person reads it, from real orchestrator runs: a
well-formed self-contained page, a line-aligned side-by-side diff with
changed lines marked, syntax colour for C and LLVM IR with everything
escaped, the proof shown as what it is (never `proved` for a bounded
check) with the command that re-runs it, and an SVG chart of speed-ups."""
from __future__ import annotations

import html
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from veriopt import report
from veriopt.agents.orchestrator import Budget, Options, Orchestrator
from veriopt.agents.store import Store
from veriopt.report.highlight import tokens
from veriopt.report.html_diff import side_by_side

from agent_helpers import GOOD, PARITY, PARITY_LOOP, SRC, CScripted, c_job, mixed_run

VOID = {"meta", "br", "col", "img", "hr", "input", "link"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """(report data, files written) for `mixed_run`, written by `report.write`."""
    data = report.build(mixed_run(), "kernel.c", "c", PARITY_LOOP, Budget())
    return data, report.write(data, SRC, tmp_path_factory.mktemp("rep"))


class Balance(HTMLParser):
    """Every element closed in order (a doubled </ul> or a stray tag fails)."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def well_formed(page: str) -> list[str]:
    parser = Balance()
    parser.feed(page)
    return parser.errors + [f"<{t}> never closed" for t in parser.stack]


def test_page_is_well_formed_and_self_contained(mixed):
    data, files = mixed
    page = files[2].read_text()
    assert well_formed(page) == []
    assert not re.search(r"(src|href)\s*=|<script|@import|url\(|https?://(?!www\.w3\.org)", page)
    assert page.count("<ul") == page.count("</ul>")


def test_diff_is_side_by_side_line_aligned_and_marked(mixed):
    data, files = mixed
    page = files[2].read_text()
    diff = page[page.index('<table class="sbs"'):]
    diff = diff[:diff.index("</table>")]
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", diff) if "<td" in r]
    # SRC has 6 lines, GOOD 4: the first and last are equal, the four between
    # (three instructions and `ret`) replaced by two
    assert len(rows) == 6
    numbers = [re.findall(r'<td class="num[^"]*">(\d*)</td>', r) for r in rows]
    assert numbers[0] == ["1", "1"] and numbers[-1] == ["6", "4"]
    changed = [r for r in rows if "code del" in r or "code add" in r]
    assert len(changed) == 4
    assert sum("code del" in r for r in rows) == 4 and sum("code add" in r for r in rows) == 2
    assert '<td class="code none">' in diff              # a removed line against nothing
    left_of_shl = next(r for r in rows if "shl" in r)
    assert "mul" in left_of_shl or "add" in left_of_shl   # replaced lines paired in order


def test_code_is_coloured_and_escaped():
    c = 'int f(int a) { /* a<b */ return a < 2 ? "<b>" : 0; }\n'
    table = side_by_side(c, c.replace("2", "3"), "c")
    assert "<b>" not in table and "&lt;b&gt;" in table and "a &lt; " in table
    assert '<span class="tk-keyword">return</span>' in table
    assert '<span class="tk-comment">/* a&lt;b */</span>' in table
    assert '<span class="tk-number">3</span>' in table
    ir = side_by_side(SRC, GOOD, "ir")
    for token in ('<span class="tk-keyword">define</span>', '<span class="tk-type">i32</span>',
                  '<span class="tk-global">@f</span>', '<span class="tk-local">%x</span>'):
        assert token in ir


def test_tokens_give_back_the_text():
    for text, lang in [(SRC, "ir"), (PARITY_LOOP, "c"), ('x = "a\\"b"; // c\n#if 1\n', "c")]:
        assert "".join(piece for _, piece in tokens(text, lang)) == text
    kinds = dict((piece, kind) for kind, piece in tokens("; note\n  br label %l1\n", "ir"))
    assert kinds["; note"] == "comment" and kinds["br"] == "keyword" and kinds["%l1"] == "local"


def test_long_unchanged_runs_are_folded():
    before = "".join(f"line {i}\n" for i in range(40))
    after = before.replace("line 20\n", "line twenty\n")
    table = side_by_side(before, after, "c")
    assert table.count("unchanged line(s) not shown") == 2
    assert ">17<" in table and ">23<" in table and ">10<" not in table


def test_proof_of_the_proved_ir_result(mixed):
    data, files = mixed
    res = data["result"]
    assert res["level"] == "ir" and res["proof"] == "proved" and res["bound"] is None
    page = files[2].read_text()
    proof = page[page.index("<h2>Proof</h2>"):page.index("</table>", page.index("<h2>Proof"))]
    text = html.unescape(re.sub(r"<[^>]+>", "", proof))
    assert "checkers" in text and "veriopt" in text and "verdict" in text
    assert '<span class="ok">proved</span>' in proof
    assert "none: holds for every input and iteration count" in text
    assert "veriopt verify before.ll after.ll --src-fn f --tgt-fn f" in text


def test_rerun_command_really_rechecks(mixed):
    data, files = mixed
    directory = files[0].parent
    assert (directory / "before.ll").read_text() == SRC
    assert (directory / "after.ll").read_text() == GOOD
    (command,) = data["result"]["rerun"]
    exe = Path(__file__).resolve().parent.parent.parent / ".venv" / "bin" / "veriopt"
    done = subprocess.run([str(exe), *command.split()[1:]], cwd=directory, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "Transformation seems to be correct!" in done.stdout


def test_a_bounded_result_shows_its_bound_never_proved():
    result = Orchestrator([c_job()], [CScripted("c", [[PARITY]])], Store(), Budget(seconds=60),
                          options=Options(bounded="label")).run()
    data = report.build(result, "p.c", "c", PARITY_LOOP, Budget())
    res = data["result"]
    page = report.html_page(data, PARITY_LOOP)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "proved" not in text.split("Candidates")[0]
    assert f"{res['bound']} iterations checked, none beyond" in text
    assert f"{res['fuzzed']} inputs compared, no difference" in text and res["fuzzed"] > 0
    assert (f"veriopt verify-c before.c after.c --function f --unroll {res['bound']}"
            in res["rerun"])
    assert res["rerun"][0] in text and "not a proof" in text
    assert '<span class="warn">bounded</span>' in page and 'class="ok"' not in page
    assert '<td class="code del">' in page and "tk-keyword" in page      # C diff, coloured


def test_speedup_chart_has_a_bar_per_accepted_candidate(mixed):
    data, files = mixed
    page = files[2].read_text()
    svg = page[page.index("<svg"):page.index("</svg>")]
    accepted = [c for c in data["candidates"] if c["accepted"]]
    assert len(accepted) == 2
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="16"', svg)
    assert len(bars) == 4                      # static and measured, for each
    assert "×2.00" in svg and "×1.25" in svg                 # measured: 1/0.5, 1/0.8
    assert "bounded, not a proof" in svg and "×1 baseline" in svg
    for c in accepted:
        assert c["key"] in svg
