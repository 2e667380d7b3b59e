"""The orchestrator with small real proposers (classes implementing the
protocol) and the real verifier: routing, dedup, bounded repair, cache,
re-check, interrupt/resume, budgets and yield-based spending."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from agent_helpers import (
    DEAR,
    GOOD,
    MUL6,
    PARITY,
    SRC,
    SUM3_LOOP,
    TWO_LOOPS,
    WRONG,
    CScripted,
    Scripted,
    c_job,
    fake_alive_tv,
    orchestrate,
    real_alive_tv,
    shl,
)

from veriopt.agents.base import Candidate, Task
from veriopt.agents.gates import CGate, IRGate
from veriopt.agents.orchestrator import (
    DROPPED_BOUNDED,
    Budget,
    Job,
    Options,
    Orchestrator,
    clearly_slower,
)
from veriopt.agents.store import Store
from veriopt.bench.lowering import lower_c
from veriopt.limits import Limits
from veriopt.verify.verdict import Status, Verdict


def test_counterexample_goes_back_to_the_proposer_only():
    a = Scripted("a", [[WRONG]], {WRONG: GOOD})
    b = Scripted("b", [[]])
    result = orchestrate([a, b]).run()
    assert b.repairs == [] and len(a.repairs) == 1
    assert a.repairs[0].status is Status.INCORRECT and a.repairs[0].counterexample is not None
    fixed = result.best()
    assert fixed.candidate.code == GOOD and fixed.candidate.parent == Candidate("ir", WRONG, "a").key
    assert result.rechecks == {"checked": 1, "failed": 0}


def test_duplicates_are_dropped_across_agents_and_renamings():
    a = Scripted("a", [[GOOD, GOOD]])
    b = Scripted("b", [[shl(1, name="other")]])
    result = orchestrate([a, b]).run()
    assert len(result.records) == 1 and result.records[0].accepted


def test_repair_rounds_are_bounded():
    chain = {shl(k): shl(k + 1) for k in range(2, 10)}
    a = Scripted("a", [[shl(2)]], chain)
    result = orchestrate([a], repair_rounds=2).run()
    assert [r.round for r in result.records] == [0, 1, 2]
    assert all(r.status == "refuted" for r in result.records) and len(a.repairs) == 2


def test_not_cheaper_is_skipped_before_the_proof_and_counted():
    orch = orchestrate([Scripted("a", [[SRC.replace("%c", "%z")], [shl(1, dead=5)], [GOOD]])])
    result = orch.run()
    by_code = {r.candidate.code: r for r in result.records}
    same = by_code[SRC.replace("%c", "%z")]
    assert same.status == "skipped" and not same.accepted and "not cheaper" in same.note
    assert same.verdict is None and by_code[GOOD].accepted
    assert result.skipped_not_cheaper == sum(r.status == "skipped" for r in result.records) >= 1
    assert orch.verifications == sum(r.status not in ("skipped",) for r in result.records) + \
        len(result.accepted)          # skipped ones never reached a gate (re-check: +1 each)


def test_recheck_catches_a_poisoned_cache():
    store = Store()
    gate = IRGate()
    task = Task("f", "ir", SRC, baseline_ir=SRC)
    forged = Verdict(Status.CORRECT)
    store.cache_check(gate.cache_key(task, Candidate("ir", WRONG, "a")), forged, "proved", "proved")
    result = orchestrate([Scripted("a", [[WRONG]])], store, gate).run()
    (rec,) = result.records
    assert rec.cached and not rec.accepted and rec.note.startswith("re-check failed")
    assert result.rechecks == {"checked": 1, "failed": 1} and result.best() is None


class InterruptOnce(IRGate):
    """A real gate that is 'Ctrl-C'ed while checking one given candidate, once."""

    def __init__(self, code: str):
        super().__init__()
        self.code = code
        self.checked: list[str] = []

    def check(self, task, cand, timeout):
        self.checked.append(cand.code)
        if cand.code == self.code and self.checked.count(cand.code) == 1:
            raise KeyboardInterrupt
        return super().check(task, cand, timeout)


def test_interrupt_then_resume_keeps_verified_results(tmp_path):
    db = tmp_path / "store.sqlite"
    first, pending = shl(1, dead=2), shl(1, dead=1)     # each cheaper than the one before
    gate = InterruptOnce(pending)
    with pytest.raises(KeyboardInterrupt):
        orchestrate([Scripted("a", [[first, pending]])], Store(db), gate).run()
    assert Store(db).run_state(orchestrate([], Store()).rid) == "interrupted"

    resumed_gate = InterruptOnce("never")
    again = Scripted("a", [[first, pending, SRC.replace("%c", "%z")]])
    result = orchestrate([again], Store(db), resumed_gate).run()
    assert result.resumed
    by_code = {r.candidate.code: r for r in result.records}
    assert by_code[first].resumed and by_code[first].accepted
    assert by_code[pending].resumed and by_code[pending].accepted   # judged on resume
    # `first` was not verified again before the final re-check
    assert resumed_gate.checked.count(first) == 1
    assert result.rechecks == {"checked": 2, "failed": 0}
    assert len(result.records) == 3


def test_agent_failures_and_an_empty_time_budget_end_cleanly():
    class Broken(Scripted):
        def propose(self, task):
            self.calls += 1
            raise RuntimeError("agent bug")

    broken = Broken("broken", [])
    result = orchestrate([broken, Scripted("a", [[GOOD]])]).run()
    assert result.agent_stats["broken/ir"]["errors"] == 2 and result.best() is not None
    idle = Scripted("a", [[GOOD]])
    result = orchestrate([idle], seconds=0).run()
    assert idle.calls == 0 and result.records == []


def test_token_budget_stops_llm_like_agents():
    class Spender(Scripted):
        tokens_used = 0

        def propose(self, task):
            self.tokens_used += 1000
            return super().propose(task)

    spender = Spender("llm", [[shl(k)] for k in range(2, 9)])
    orchestrate([spender], tokens=1500, repair_rounds=0, patience=99).run()
    assert spender.calls == 2


def test_spending_follows_observed_yield():
    bad = Scripted("bad", [[shl(k)] for k in range(2, 30)])
    good = Scripted("good", [[shl(1, dead=d)] for d in (3, 2, 1, 0)])   # cheaper each time
    result = orchestrate([bad, good], repair_rounds=0, patience=2, max_candidates=7).run()
    assert good.calls > bad.calls
    assert len(result.accepted) == 4 and result.best().candidate.code == GOOD


def test_c_level_is_bounded_checked_then_fuzzed_and_labelled():
    src = "unsigned f(unsigned x) { return x / 2; }\n"
    right = "unsigned f(unsigned x) { return x >> 1; }\n"
    wrong = "unsigned f(unsigned x) { return x >> 2; }\n"

    class CAgent(Scripted):
        task_levels = ("c",)

        def propose(self, task):
            self.calls += 1
            return [Candidate("c", wrong, self.name), Candidate("c", right, self.name)] \
                if self.calls == 1 else []

    job = Job(Task("f", "c", src, baseline_ir=lower_c(src)),
              CGate(Limits(unroll=8, fuzz_examples=200, fuzz_seconds=10)), src, DEAR)
    result = Orchestrator([job], [CAgent("c-agent", [])], Store(), Budget(seconds=60)).run()
    by_code = {r.candidate.code: r for r in result.records}
    assert by_code[right].status == "proved" and "fuzzed" in by_code[right].label
    assert "proved (C equivalence)" in by_code[right].label and by_code[right].accepted
    assert by_code[wrong].status == "refuted"
    assert by_code[wrong].verdict["error"] == "Value mismatch"


def test_clearly_slower():
    assert clearly_slower({"median_ratio": 1.5, "spread": 0.1})
    assert not clearly_slower({"median_ratio": 1.05, "spread": 0.1})
    assert not clearly_slower({"error": "no compiler"}) and not clearly_slower(None)


def test_edge_inputs_reach_the_gate_and_cegis_agents():
    class Tester(Scripted):
        def suggest_inputs(self, task):
            return [{"x": 5}]

    class Cegis(Scripted):
        def __init__(self, *args):
            super().__init__(*args)
            self.extra_examples: list[dict[str, int]] = []

    cegis = Cegis("superopt", [[]])
    gate = IRGate()
    result = orchestrate([Tester("t", [[WRONG]]), cegis], gate=gate, repair_rounds=0).run()
    assert gate.edge_inputs == [{"x": 5}] and cegis.extra_examples == [{"x": 5}]
    (rec,) = result.records
    assert rec.status == "refuted" and rec.verdict["solver"] == "edge-inputs"
    assert rec.verdict["counterexample"]["inputs"] == {"x": "5"}


# ---------------------------------------------------------------- bounded results

BOUNDED_LABEL = re.compile(r"bounded, (\d+) iterations, fuzzed (\d+) inputs")


def bounded_label(rec) -> int:
    """The bound K of a record labelled `bounded, K iterations, fuzzed N inputs`."""
    m = BOUNDED_LABEL.fullmatch(rec.label)
    assert m and int(m.group(2)) > 0, rec.label
    assert int(m.group(1)) == rec.verdict["bound"] >= 8
    return int(m.group(1))


def test_bounded_only_candidate_is_dropped_by_default_and_kept_in_the_store(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    orch = Orchestrator([c_job()], [CScripted("c", [[PARITY]])], store, Budget(seconds=60))
    result = orch.run()
    (rec,) = result.records
    assert rec.status == "bounded" and not rec.accepted and rec.note == DROPPED_BOUNDED
    assert rec.verdict["verdict"] == "bounded" and bounded_label(rec)
    assert result.best() is None and result.dropped_bounded == [rec]
    assert result.rechecks == {"checked": 0, "failed": 0}
    (stored,) = store.candidates(orch.rid)
    assert (stored.status, stored.accepted, stored.note) == ("bounded", False, DROPPED_BOUNDED)

    # the same run resumed under --bounded label: decided again, from the cache
    again = Orchestrator([c_job()], [CScripted("c", [])], store, Budget(seconds=60),
                         options=Options(bounded="label"))
    result = again.run()
    (rec,) = result.records
    assert rec.resumed and rec.cached and rec.accepted and rec.note is None
    assert result.best() is rec and result.rechecks == {"checked": 1, "failed": 0}
    assert store.candidates(again.rid)[0].accepted


def test_bounded_candidate_is_labelled_never_proved_under_the_label_policy():
    result = Orchestrator([c_job()], [CScripted("c", [[PARITY]])], Store(), Budget(seconds=60),
                          options=Options(bounded="label")).run()
    (rec,) = result.records
    assert rec.status == "bounded" and rec.accepted
    assert bounded_label(rec) and "proved" not in rec.label
    assert rec.cost["weighted"] < result.jobs[0].baseline_cost["weighted"]
    assert result.best() is rec and result.dropped_bounded == []
    with pytest.raises(ValueError, match="bounded policy"):
        Options(bounded="accept")


def test_a_proved_result_is_preferred_to_a_cheaper_bounded_one():
    from veriopt.agents.orchestrator import Record, best_of
    proved = Record(Candidate("ir", "a", "x"), 0, status="proved", accepted=True,
                    cost={"weighted": 5.0, "instructions": 5})
    bounded = Record(Candidate("c", "b", "x"), 0, status="bounded", accepted=True,
                     cost={"weighted": 1.0, "instructions": 1})
    assert best_of([bounded, proved]) is proved and best_of([bounded], "c") is bounded


# ---------------------------------------------------------------- alive-tv re-check

def test_alive_tv_confirms_an_accepted_rewrite(monkeypatch):
    exe = real_alive_tv(monkeypatch)
    result = orchestrate([Scripted("a", [[GOOD]])], options=Options(alive_tv=exe)).run()
    (rec,) = result.records
    assert rec.accepted and rec.checked_by == ["veriopt", "alive-tv"]
    assert rec.alive_tv["status"] == "correct"
    assert result.alive_tv == {"available": True, "checked": 1, "correct": 1, "incorrect": 0,
                               "undecided": 0}
    assert result.disagreements == []


def test_without_alive_tv_the_result_is_checked_by_veriopt_only():
    result = orchestrate([Scripted("a", [[GOOD]])]).run()
    (rec,) = result.records
    assert rec.accepted and rec.checked_by == ["veriopt"] and rec.alive_tv is None
    assert result.alive_tv["available"] is False and result.alive_tv["checked"] == 0


def test_alive_tv_disagreement_drops_the_rewrite_and_is_recorded(tmp_path, monkeypatch):
    exe = fake_alive_tv(tmp_path, monkeypatch)
    from veriopt.verify.refinement import VerifyOptions
    store = Store(tmp_path / "s.sqlite")
    orch = orchestrate([Scripted("a", [[GOOD]])], store,
                       IRGate(options=VerifyOptions(disable_undef_input=True)),
                       options=Options(alive_tv=exe, artifacts=str(tmp_path / "out")))
    result = orch.run()
    args = (tmp_path / "alive-tv.args").read_text().splitlines()
    assert args[0] == "--version" and "-disable-undef-input" in args[1].split()
    (rec,) = result.records
    assert rec.status == "proved" and not rec.accepted and result.best() is None
    assert rec.note == "dropped: alive-tv disagrees (Value mismatch)"
    assert rec.checked_by == ["veriopt"] and rec.alive_tv["status"] == "incorrect"
    (d,) = result.disagreements
    assert (d["key"], d["veriopt"], d["alive_tv"], d["alive_tv_error"]) == \
        (rec.key, "proved", "incorrect", "Value mismatch")
    module = Path(d["module"]).read_text()
    assert "define i32 @src(" in module and "define i32 @tgt(" in module
    assert "shl i32 %x, 1" in module
    assert store.candidates(orch.rid)[0].note == rec.note

    # resumed: the rewrite stays dropped and the disagreement is still reported
    again = orchestrate([Scripted("a", [])], store).run()
    assert again.best() is None and again.disagreements[0]["key"] == rec.key


def test_alive_tv_undecided_keeps_veriopts_result(tmp_path, monkeypatch):
    exe = tmp_path / "alive-tv"
    exe.write_text("#!/bin/sh\necho 'ERROR: Timeout'\n")
    exe.chmod(0o755)
    result = orchestrate([Scripted("a", [[GOOD]])], options=Options(alive_tv=str(exe))).run()
    (rec,) = result.records
    assert rec.accepted and rec.checked_by == ["veriopt"]
    assert rec.alive_tv == {"status": "unknown", "error": "Timeout", "module": None}
    assert result.alive_tv["undecided"] == 1 and result.disagreements == []


def test_alive_tv_module_carries_declarations_and_flags(monkeypatch):
    from veriopt.agents.gates import alive_flags, alive_module
    from veriopt.verify.refinement import VerifyOptions
    fshl = ("define i32 @f(i32 %x) {\n  %r = call i32 @llvm.fshl.i32(i32 %x, i32 %x, i32 1)\n"
            "  ret i32 %r\n}\ndeclare i32 @llvm.fshl.i32(i32, i32, i32)\n")
    src = "define i32 @src(i32 %y) {\n  ret i32 %y\n}\n" + SRC
    module = alive_module(src, fshl, "f")
    assert "define i32 @src(i32 %x)" in module and "define i32 @tgt(i32 %x)" in module
    assert "define i32 @veriopt.src(i32 %y)" in module
    assert module.count("declare i32 @llvm.fshl.i32") == 1
    assert alive_flags(VerifyOptions()) == ()
    assert alive_flags(VerifyOptions(disable_undef_input=True, src_unroll=4, tgt_unroll=4)) == \
        ("-disable-undef-input", "-src-unroll=4", "-tgt-unroll=4")
    exe = real_alive_tv(monkeypatch)
    check, _ = IRGate().alive_recheck(Task("f", "ir", SRC), Candidate("ir", fshl, "a"), exe)
    assert check.status == "incorrect" and check.error == "Value mismatch"   # rotl != mul 2


MUL3 = "define i32 @f(i32 noundef %n) {\n  %r = mul i32 %n, 3\n  ret i32 %r\n}\n"


def test_bounded_ir_rewrite_is_rechecked_by_alive_tv_to_the_same_bound(monkeypatch):
    from veriopt.verify.refinement import VerifyOptions
    exe = real_alive_tv(monkeypatch)
    job = Job(Task("f", "ir", TWO_LOOPS),
              IRGate(options=VerifyOptions(src_unroll=4, tgt_unroll=4)), TWO_LOOPS)
    result = Orchestrator([job], [Scripted("a", [[MUL6]])], Store(), Budget(seconds=60),
                          options=Options(bounded="label", alive_tv=exe)).run()
    (rec,) = result.records
    assert rec.status == "bounded" and rec.accepted and rec.verdict["bound"] == 4
    assert rec.label.startswith("bounded, 4 iterations, not fuzzed (")
    assert rec.checked_by == ["veriopt", "alive-tv"] and rec.alive_tv["status"] == "correct"


def test_alive_tv_unrolls_as_far_as_a_deepened_bound(tmp_path, monkeypatch):
    exe = fake_alive_tv(tmp_path, monkeypatch)
    task, cand = Task("f", "ir", SUM3_LOOP), Candidate("ir", MUL3, "a")
    IRGate().alive_recheck(task, cand, exe, bound=32)
    from veriopt.verify.refinement import VerifyOptions
    IRGate(options=VerifyOptions(src_unroll=4, tgt_unroll=4)).alive_recheck(task, cand, exe, bound=32)
    calls = (tmp_path / "alive-tv.args").read_text().splitlines()[1:]
    assert "-src-unroll=32" in calls[0].split() and "-tgt-unroll=32" in calls[0].split()
    assert "-src-unroll=4" in calls[1].split() and "-src-unroll=32" not in calls[1]
