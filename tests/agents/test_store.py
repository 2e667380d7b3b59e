"""The SQLite store: facts survive a reopen, verdicts round-trip whole."""
from __future__ import annotations

from veriopt.agents.base import Candidate
from veriopt.agents.store import Store, content_hash, run_id
from veriopt.verify.verdict import Counterexample, Status, Verdict, verdict_from_json


def refuted() -> Verdict:
    cex = Counterexample(inputs=[("i8 %x", "#x80 (128, -128)")], source_value="#x00 (0)",
                         target_value="poison", replayed=["smt"])
    return Verdict(Status.INCORRECT, error="Target is more poisonous than source",
                   counterexample=cex, seconds=0.5, solver="z3", name="@f -> @f")


def test_verdict_json_round_trip():
    v = refuted()
    back = verdict_from_json(v.to_json())
    assert back.render() == v.render() and back.to_json() == v.to_json()
    ok = Verdict.bounded_to(8, "the target needs more iterations")
    back = verdict_from_json(ok.to_json())
    assert back.render() == ok.render() and (back.status, back.bound) == (Status.BOUNDED, 8)


def test_facts_survive_reopen(tmp_path):
    path = tmp_path / "s.sqlite"
    store = Store(path)
    rid = run_id("src", "f", ["ir"])
    assert store.open_run(rid, "in.ll", "f", ["ir"]) is False
    a = Candidate("ir", "code a", "rules", "why")
    b = Candidate("ir", "code b", "llm", parent=a.key)
    store.add_candidate(rid, a, 0)
    store.add_candidate(rid, b, 1)
    store.add_candidate(rid, a, 0)               # duplicates are ignored
    store.set_outcome(rid, a.key, "proved", "proved", {"weighted": 1, "instructions": 1}, True)
    store.set_outcome(rid, b.key, "unknown", None, None, False, None,
                      Verdict.unknown("timeout").to_json())
    h = content_hash("src", "code b")
    store.cache_check(h, refuted(), "refuted", None)
    store.set_timing(rid, a.key, {"median_ratio": 0.5, "spread": 0.1, "runs": 5})
    store.finish_run(rid, "interrupted")
    store.close()

    again = Store(path)
    assert again.open_run(rid, "in.ll", "f", ["ir"]) is True
    rows = again.candidates(rid)
    assert [r.candidate.key for r in rows] == [a.key, b.key]
    assert rows[0].accepted and rows[0].cost == {"weighted": 1, "instructions": 1}
    assert rows[1].status == "unknown" and rows[1].verdict["reason"] == "timeout"
    assert rows[1].candidate.parent == a.key
    verdict, status, label = again.cached_check(h)
    assert status == "refuted" and verdict.counterexample.target_value == "poison"
    assert again.cached_check(content_hash("other")) is None
    assert again.timing(rid, a.key)["median_ratio"] == 0.5


def test_run_id_depends_on_input_function_and_levels():
    assert run_id("s", "f", ["ir", "c"]) == run_id("s", "f", ["c", "ir"])
    assert len({run_id("s", "f", ["ir"]), run_id("t", "f", ["ir"]), run_id("s", "g", ["ir"]),
                run_id("s", "f", ["ir", "c"])}) == 4


def test_candidate_key_ignores_renaming_but_not_meaning():
    a = Candidate("ir", "define i32 @f(i32 %x) {\n  %t = shl i32 %x, 4 ; note\n  ret i32 %t\n}\n", "r")
    b = Candidate("ir", "define i32 @f(i32 %y) {\n  %vo.r9 = shl i32 %y, 4\n  ret i32 %vo.r9\n}", "s")
    c = Candidate("ir", "define i32 @f(i32 %y) {\n  %vo.r9 = shl i32 %y, 3\n  ret i32 %vo.r9\n}", "s")
    assert a.key == b.key != c.key
    assert Candidate("c", "int f(){return 1;}", "x").key != Candidate("ir", "int f(){return 1;}", "x").key


def test_a_store_of_another_schema_is_refused(tmp_path):
    import sqlite3

    import pytest
    from veriopt.errors import BadInput
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE outcomes (run_id TEXT)")
    db.commit()
    db.close()
    with pytest.raises(BadInput, match="another veriopt version"):
        Store(path)
    # version 1 cached bounded checks as "proved": refused, not trusted
    Store(tmp_path / "v1.sqlite").close()
    db = sqlite3.connect(tmp_path / "v1.sqlite")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with pytest.raises(BadInput, match=r"schema 1, expected 2"):
        Store(tmp_path / "v1.sqlite")


def test_a_dropped_bounded_outcome_is_kept_as_bounded(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    rid = run_id("src", "f", ["c"])
    store.open_run(rid, "in.c", "f", ["c"])
    cand = Candidate("c", "unsigned f(unsigned short n) { return n & 1; }", "llm")
    store.add_candidate(rid, cand, 0)
    verdict = Verdict.bounded_to(8)
    store.set_outcome(rid, cand.key, "bounded", "bounded, 8 iterations, fuzzed 2000 inputs",
                      None, False, "dropped: bounded only", verdict.to_json())
    store.cache_check(content_hash("bounded"), verdict, "bounded",
                      "bounded, 8 iterations, fuzzed 2000 inputs")
    store.close()
    again = Store(tmp_path / "s.sqlite")
    (row,) = again.candidates(rid)
    assert (row.status, row.accepted, row.note) == ("bounded", False, "dropped: bounded only")
    assert row.verdict["verdict"] == "bounded" and row.verdict["bound"] == 8
    cached, status, label = again.cached_check(content_hash("bounded"))
    assert cached.status is Status.BOUNDED and status == "bounded" and "proved" not in label
