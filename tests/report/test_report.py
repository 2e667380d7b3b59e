"""Reports built from a real orchestrator run: the JSON schema as
documented, Markdown and a self-contained HTML page."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from veriopt import report
from veriopt.agents.orchestrator import Budget, Options, Orchestrator
from veriopt.agents.store import Store

from agent_helpers import (
    GOOD,
    PARITY,
    PARITY_LOOP,
    SRC,
    WRONG,
    CScripted,
    Scripted,
    c_job,
    fake_alive_tv,
    orchestrate,
    real_alive_tv,
)

DOC = Path(__file__).parent.parent.parent / "docs" / "report-schema.md"


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
                  "run.id", "candidates[]", "policy.bounded", "policy.alive_tv",
                  "rechecks.alive_tv", "disagreements[]", "dropped.bounded_only"]:
        assert f"`{field}`" in doc
    assert f"`\"{data['schema']}\"`" in doc
    for key in list(data["result"]) + list(data["candidates"][0]):
        assert f"`{key}`" in doc, key
    res = data["result"]
    assert res["code"] == GOOD and res["proof"] == "proved" and res["origin"] == "a"
    assert res["checked_by"] == ["veriopt"] and res["bound"] is None
    assert data["policy"] == {"bounded": "drop", "alive_tv": None}
    assert data["disagreements"] == [] and data["dropped"] == {"bounded_only": []}
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


def c_report(policy: str) -> dict:
    result = Orchestrator([c_job()], [CScripted("c", [[PARITY]])], Store(), Budget(seconds=60),
                          options=Options(bounded=policy)).run()
    return report.build(result, "p.c", "c", PARITY_LOOP, Budget())


def test_a_labelled_bounded_result_is_never_shown_as_proved(tmp_path):
    data = c_report("label")
    res = data["result"]
    assert res["proof"] == "bounded" and res["bound"] >= 8
    assert res["label"] == f"bounded, {res['bound']} iterations, fuzzed 300 inputs"
    md = report.markdown(data, PARITY_LOOP)
    assert f"- proof: **bounded** — {res['label']} — not a proof" in md
    assert "proved" not in md.split("## Diff")[0]
    assert f"| {res['label']} |" in md
    assert "checked by: veriopt (alive-tv re-checks IR rewrites only)" in md
    page = report.html_page(data, PARITY_LOOP)
    assert '<span class="warn">bounded</span>' in page and 'class="ok"' not in page


def test_a_dropped_bounded_candidate_is_listed(tmp_path):
    data = c_report("drop")
    assert data["result"] is None and data["policy"]["bounded"] == "drop"
    (cand,) = data["candidates"]
    assert data["dropped"]["bounded_only"] == [cand["key"]]
    assert cand["status"] == "bounded" and not cand["accepted"]
    assert cand["note"] == "dropped: bounded only"
    md = report.markdown(data, PARITY_LOOP)
    assert "no proved improvement" in md and "- dropped: bounded only: 1 candidate(s)" in md


def test_report_names_alive_tv_as_second_checker(monkeypatch):
    exe = real_alive_tv(monkeypatch)
    result = orchestrate([Scripted("a", [[GOOD]])], options=Options(alive_tv=exe)).run()
    data = report.build(result, "in.ll", "ir", SRC, Budget())
    assert data["result"]["checked_by"] == ["veriopt", "alive-tv"]
    assert data["rechecks"]["alive_tv"]["correct"] == 1
    md = report.markdown(data, SRC)
    assert "- checked by: veriopt + alive-tv" in md
    assert "alive-tv re-checked 1 IR rewrite(s): 1 correct, 0 incorrect" in md
    assert "checked by: veriopt + alive-tv" in report.html_page(data, SRC)


def test_report_shows_a_disagreement_loudly(tmp_path, monkeypatch):
    exe = fake_alive_tv(tmp_path, monkeypatch)
    result = orchestrate([Scripted("a", [[GOOD]])],
                         options=Options(alive_tv=exe, artifacts=str(tmp_path))).run()
    data = report.build(result, "in.ll", "ir", SRC, Budget())
    files = report.write(data, SRC, tmp_path / "rep")
    (d,) = json.loads(files[0].read_text())["disagreements"]
    assert d["alive_tv_error"] == "Value mismatch" and Path(d["module"]).is_file()
    assert data["result"] is None
    md = files[1].read_text()
    assert "## Disagreements with alive-tv" in md and "`ERROR: Value mismatch`" in md
    assert d["module"] in md and "**alive-tv disagreed on 1 rewrite(s)**" in md
    assert "Disagreements with alive-tv" in files[2].read_text()


def test_the_terminal_summary_says_what_the_reports_say(tmp_path):
    data, files = build(tmp_path)
    text = report.summary_text(data)
    md, page = files[1].read_text(), html.unescape(files[2].read_text())
    for f in report.facts(data):
        line = f"{f.name}: " + (f"{f.mark} — {f.text}" if f.mark else f.text)
        assert line in text.splitlines()
        assert f"- {f.name}: " + (f"**{f.mark}** — {f.text}" if f.mark else f.text) in md
        assert f.text in page
    assert "% below baseline" in text
    assert "timing: measured speed-up ×2.00" in text


def test_the_terminal_summary_of_a_bounded_result_never_says_proved():
    data = c_report("label")
    text = report.summary_text(data)
    assert f"proof: bounded — {data['result']['label']} — not a proof" in text
    assert "proved" not in text


def test_markdown_shows_the_proof_and_how_to_rerun_it(tmp_path):
    data, files = build(tmp_path)
    md = files[1].read_text()
    assert data["result"]["rerun"] == ["veriopt verify before.ll after.ll --src-fn f --tgt-fn f"]
    assert "## Proof" in md and f"- re-run: `{data['result']['rerun'][0]}`" in md
    assert "- verdict: holds for every input and every loop iteration count" in md
    assert (tmp_path / "before.ll").read_text() == SRC
    assert (tmp_path / "after.ll").read_text() == data["result"]["code"]
    assert (tmp_path / "report.sarif").is_file()
