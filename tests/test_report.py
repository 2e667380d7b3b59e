"""Reports built from a real orchestrator run: the JSON schema as
documented, Markdown and a self-contained HTML page."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from test_orchestrator import GOOD, SRC, WRONG, Scripted, orchestrate

from veriopt.agents.orchestrator import Budget
from veriopt.bench import report

DOC = Path(__file__).parent.parent / "docs" / "report-schema.md"


def build(tmp_path):
    agent = Scripted("a", [[WRONG]], {WRONG: GOOD})
    result = orchestrate([agent]).run()
    result.records[-1].timing = {"median_ratio": 0.5, "spread": 0.05, "runs": 5}
    data = report.build(result, "in.ll", "ir", SRC, Budget(), {"a": {"model": "m"}}, "out.ll")
    files = report.write(data, SRC, tmp_path)
    return data, files


def test_json_has_the_documented_fields(tmp_path):
    data, files = build(tmp_path)
    assert json.loads(files[0].read_text()) == data
    doc = DOC.read_text()
    for field in ["schema", "input.path", "function", "baseline.cost", "rechecks.checked",
                  "run.id", "candidates[]"]:
        assert f"`{field}`" in doc
    for key in list(data["result"]) + list(data["candidates"][0]):
        assert f"`{key}`" in doc, key
    res = data["result"]
    assert res["code"] == GOOD and res["proof"] == "proved" and res["origin"] == "a"
    assert res["cost"]["weighted"] < data["baseline"]["cost"]["weighted"]
    assert res["output"] == "out.ll" and 0 < res["cost_reduction"] < 1
    statuses = [(c["status"], c["accepted"], c["round"]) for c in data["candidates"]]
    assert statuses == [("refuted", False, 0), ("proved", True, 1)]
    assert data["candidates"][0]["verdict"]["counterexample"]["inputs"]


def test_markdown_shows_diff_steps_counterexamples_and_speedup(tmp_path):
    data, files = build(tmp_path)
    md = files[1].read_text()
    assert "```diff" in md and "+  %r = shl i32 %x, 1" in md and "-  %c = mul i32 %b, 2" in md
    assert "## Steps to the result" in md and md.count("1. `") == 2      # refuted, then fixed
    assert "Value mismatch" in md and "Example:" in md
    assert "speed-up ×2.00" in md and "spread (IQR) 0.050" in md


def test_html_is_self_contained(tmp_path):
    data, files = build(tmp_path)
    page = files[2].read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"(src|href)\s*=|<script|@import|url\(", page)
    text = re.sub(r"<[^>]+>", "", html.unescape(page)).replace("\xa0", " ")
    assert "Value mismatch" in text and "shl i32 %x, 1" in text and "speed-up" in text
    assert page.count("<table") >= 2                      # side-by-side diff + candidates


def test_report_without_result(tmp_path):
    result = orchestrate([Scripted("a", [[WRONG]])], repair_rounds=0).run()
    data = report.build(result, "in.ll", "ir", SRC, Budget())
    assert data["result"] is None
    assert "no proved improvement" in report.markdown(data, SRC)
    assert "no proved improvement" in report.html_page(data, SRC)
