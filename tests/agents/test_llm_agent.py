"""The LLM agent through the real `openai` client against a real HTTP server
on 127.0.0.1 (tests/openai_stub.py), judged by the real verifier."""
from __future__ import annotations

import json
import logging

from veriopt.agents.base import Task
from veriopt.agents.gates import IRGate
from veriopt.agents.llm import LLMAgent, parse_json_reply, redact_url
from veriopt.agents.orchestrator import Budget, Job, Orchestrator
from veriopt.agents.store import Store

from agent_helpers import DEAR
from openai_stub import StubServer, candidates, reply, sleep, status

SRC = """define i32 @f(i32 %x) {
  %a = add i32 %x, 0
  %b = xor i32 %a, 0
  %c = mul i32 %b, 2
  ret i32 %c
}
"""
WRONG = "define i32 @f(i32 %x) {\n  %r = shl i32 %x, 2\n  ret i32 %r\n}\n"
GOOD = "define i32 @f(i32 %x) {\n  %r = shl i32 %x, 1\n  ret i32 %r\n}\n"
SECRET = "sk-test-SECRET-0123456789abcdef"


def task() -> Task:
    return Task("f", "ir", SRC, baseline_ir=SRC, feedback={"remarks": ["remark: missed"]})


def run(agent: LLMAgent, store: Store | None = None, **budget):
    job = Job(task(), IRGate(), SRC)
    orch = Orchestrator([job], [agent], store or Store(), Budget(seconds=60, **budget))
    return orch.run()


def test_refuted_then_repaired_from_counterexample_and_accepted():
    script = [reply(json.dumps({"inputs": [{"x": 0}, {"x": -1}]})),
              candidates(WRONG), candidates(GOOD), reply('{"candidates": []}')]
    with StubServer(script) as srv:
        agent = LLMAgent(srv.base_url, SECRET, "stub-model", timeout=5, max_retries=0)
        result = run(agent)
        prompts = srv.user_prompts()
    by_code = {r.candidate.code: r for r in result.records}
    assert by_code[WRONG].status == "refuted" and not by_code[WRONG].accepted
    fixed = by_code[GOOD]
    assert fixed.status == "proved" and fixed.accepted
    assert fixed.candidate.parent == by_code[WRONG].key
    # the request after the refutation is a repair prompt carrying the counterexample
    repair = prompts[2]
    assert "rejected by the verifier" in repair
    assert "Value mismatch" in repair and '"inputs"' in repair and "expected" in repair
    assert WRONG.strip() in repair
    # the propose prompt carried compiler feedback
    assert "baseline to beat" in prompts[1] and "remark: missed" in prompts[1]
    assert result.rechecks == {"checked": 1, "failed": 0}
    assert agent.tokens_used == 150 * len(prompts)


def test_edge_inputs_refute_before_any_proof():
    script = [reply(json.dumps({"inputs": [{"x": 1}, {"x": "bad"}, {"y": 3}]})),
              candidates(WRONG), reply("{}")]
    with StubServer(script) as srv:
        agent = LLMAgent(srv.base_url, SECRET, timeout=5, max_retries=0)
        result = run(agent, repair_rounds=0)
    assert agent.stats.edge_inputs == 1            # only the well-formed input is kept
    wrong = next(r for r in result.records if r.candidate.code == WRONG)
    assert wrong.status == "refuted"
    assert wrong.verdict["solver"] == "edge-inputs"


def test_garbage_http_errors_and_timeouts_end_cleanly():
    bad_ir = json.dumps({"candidates": [{"code": "define i32 @f(i32 %x) { nonsense }"}]})
    script = [reply("no json at all"), status(500), reply(bad_ir), reply("```json\n[1, 2]\n```"),
              sleep(2.0)]
    with StubServer(script) as srv:
        agent = LLMAgent(srv.base_url, SECRET, timeout=0.5, max_retries=0)
        result = run(agent, patience=5)
    st = agent.stats
    assert st.invalid_json >= 2 and st.http_errors == 1 and st.invalid_code == 1
    assert st.timeouts == 1 and st.requests == 5  # after a timeout: not asked again
    assert result.accepted == [] and result.records == []
    assert result.agent_stats["llm/ir"]["exhausted"]


def test_bounded_retry_recovers_from_one_server_error():
    with StubServer([status(500), candidates(GOOD), reply("{}")]) as srv:
        agent = LLMAgent(srv.base_url, SECRET, timeout=5, max_retries=1)
        assert [c.code for c in agent.propose(task())] == [GOOD]
        assert len(srv.requests) == 2


def test_key_never_in_logs_store_or_description(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "store.sqlite"
    with StubServer([reply("{}"), candidates(WRONG), candidates(GOOD), status(500)]) as srv:
        agent = LLMAgent(srv.base_url, SECRET, timeout=5, max_retries=0)
        store = Store(db)
        run(agent, store)
        store.close()
        assert srv.headers[0]["authorization"] == f"Bearer {SECRET}"  # it was really sent
    assert SECRET not in caplog.text
    assert SECRET.encode() not in db.read_bytes()
    assert SECRET not in json.dumps(agent.describe()) and SECRET not in repr(agent)


def test_placeholder_key_and_environment(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw@127.0.0.1:9/v1")
    monkeypatch.setenv("VERIOPT_MODEL", "m1")
    agent = LLMAgent()
    assert agent.model == "m1" and agent._client.api_key == "sk-no-key-required"
    assert redact_url(agent.base_url) == "http://127.0.0.1:9/v1"
    assert "pw" not in json.dumps(agent.describe())


def test_json_reply_extraction():
    assert parse_json_reply('Sure!\n```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json_reply('prefix {"a": {"b": 2}} suffix') == {"a": {"b": 2}}
    assert parse_json_reply("[1]") is None and parse_json_reply("") is None


def test_c_level_proposals_are_bounded_checked_fuzzed_and_repaired():
    from veriopt.agents.gates import CGate
    from veriopt.bench.lowering import lower_c
    from veriopt.limits import Limits
    src = "unsigned f(unsigned x) { return x / 2; }\n"
    wrong = "unsigned f(unsigned x) { return x >> 2; }\n"
    right = "unsigned f(unsigned x) { return x >> 1; }\n"
    task_c = Task("f", "c", src, baseline_ir=lower_c(src))
    job = Job(task_c, CGate(Limits(unroll=8, fuzz_examples=200, fuzz_seconds=10)), src, DEAR)
    with StubServer([reply('{"inputs": []}'), candidates(wrong), candidates(right),
                     reply("{}")]) as srv:
        agent = LLMAgent(srv.base_url, SECRET, timeout=5, max_retries=0)
        result = Orchestrator([job], [agent], Store(), Budget(seconds=60)).run()
        prompts = srv.user_prompts()[1:]
    assert "Optimize the function `f` (C)" in prompts[0] and "complete C file" in prompts[0]
    assert "Value mismatch" in prompts[1] and '"inputs"' in prompts[1]
    by_code = {r.candidate.code: r for r in result.records}
    assert by_code[wrong].status == "refuted"
    fixed = by_code[right]
    assert fixed.status == "proved" and "proved (C equivalence)" in fixed.label
    assert "fuzzed" in fixed.label and fixed.candidate.parent == by_code[wrong].key


def test_c_edge_inputs_refute_by_running_both_functions():
    from veriopt.agents.gates import CGate
    from veriopt.bench.lowering import lower_c
    from veriopt.limits import Limits
    src = "unsigned f(unsigned x) { return x / 2; }\n"
    wrong = "unsigned f(unsigned x) { return x; }\n"      # cheaper, so it is checked
    task_c = Task("f", "c", src, baseline_ir=lower_c(src))
    job = Job(task_c, CGate(Limits(unroll=8, fuzz_examples=200, fuzz_seconds=10)), src)
    with StubServer([reply(json.dumps({"inputs": [{"x": 0}, {"x": 1}]})), candidates(wrong),
                     reply("{}")]) as srv:
        agent = LLMAgent(srv.base_url, SECRET, timeout=5, max_retries=0)
        result = Orchestrator([job], [agent], Store(), Budget(seconds=60, repair_rounds=0)).run()
    (rec,) = result.records
    assert rec.status == "refuted" and rec.verdict["solver"] == "edge-inputs"
    assert rec.verdict["counterexample"]["inputs"] == {"x": "1"}


def test_unreachable_server_is_counted_not_fatal():
    import socket
    with socket.socket() as s:          # a port that was free a moment ago: nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    agent = LLMAgent(f"http://127.0.0.1:{port}/v1", SECRET, timeout=2, max_retries=0)
    assert agent.propose(task()) == [] and agent.stats.http_errors == 1
