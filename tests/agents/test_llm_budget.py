"""--budget is a deadline for the whole optimize run (agents/llm.py,
orchestrator): an LLM request gets at most the time left, the offline
agents run even when the endpoint hangs, and the report counts the timeout;
a 200 response whose body is not JSON is counted as invalid_json. Through
the real command line and the local scripted server, never the network."""
from __future__ import annotations

import json
import time
from importlib import resources

import pytest
from veriopt.cli import main

from openai_stub import StubServer, hang, raw

ROTL = (resources.files("veriopt.corpus") / "optimize" / "rotl.ll").read_text()


def optimize(capsys, tmp_path, srv: StubServer, budget: str) -> tuple[int, dict, float]:
    start = time.monotonic()
    code = main(["optimize", str(tmp_path / "rotl.ll"), "--agents", "llm,rules,passes",
                 "--base-url", srv.base_url, "--api-key", "sk-test", "--budget", budget,
                 "--no-timing", "--no-alive-tv", "--store", str(tmp_path / "s.sqlite"),
                 "--report", str(tmp_path / "rep"), "--fuzz-examples", "50"])
    seconds = time.monotonic() - start
    capsys.readouterr()
    return code, json.loads((tmp_path / "rep" / "report.json").read_text()), seconds


@pytest.fixture
def rotl(tmp_path):
    (tmp_path / "rotl.ll").write_text(ROTL)


def test_a_hung_endpoint_costs_the_budget_and_no_more(capsys, tmp_path, rotl):
    with StubServer([hang()]) as srv:
        code, report, seconds = optimize(capsys, tmp_path, srv, "5s")
    llm = report["agents"]["details"]["llm"]
    assert llm["timeouts"] == 1 and llm["requests"] == 1, llm
    assert seconds < 5 + 10, seconds          # the budget, then re-checks and the report
    ran = {c["origin"] for c in report["candidates"]}
    assert ran & {"rules", "passes"}, report["candidates"]   # the offline agents did run
    assert code in (0, 3)


def test_a_body_that_is_not_json_is_counted_as_invalid_json(capsys, tmp_path, rotl):
    with StubServer([raw("<html>this is not json</html>")]) as srv:
        code, report, _ = optimize(capsys, tmp_path, srv, "20s")
    llm = report["agents"]["details"]["llm"]
    assert llm["invalid_json"] >= 1 and llm["invalid_json"] == llm["requests"], llm
    assert llm["http_errors"] == 0 and llm["timeouts"] == 0
    assert code in (0, 3)
