"""Differential fuzzing of C functions: finds the corpus's bugs, discards
inputs on which the source has UB, never claims a proof, never hangs."""
from __future__ import annotations

import json
import time

import pytest
from veriopt.errors import BadInput
from veriopt.limits import Limits
from veriopt.translation.c_types import INT, UCHAR, PtrT
from veriopt.verify.c_equiv import Pair
from veriopt.verify.fuzz import (
    check_inputs,
    edge_values,
    fuzz_files,
    fuzz_ir,
    fuzz_sources,
    generate,
)
from veriopt.verify.fuzz_stats import FuzzStats
from veriopt.verify.verdict import ERR_MEMORY, ERR_UB, ERR_VALUE, Status

from c_helpers import CORPUS, write

MANIFEST = {e["name"]: e for e in json.loads((CORPUS / "manifest.json").read_text())["pairs"]}


def corpus_pair(name: str) -> Pair:
    e = MANIFEST[name]
    return Pair(str(CORPUS / e["original"]), e["src_fn"], str(CORPUS / e["rewritten"]), e["tgt_fn"])


@pytest.mark.parametrize("name,kind", [
    ("udiv2_signed_shift", ERR_VALUE),
    ("avg_overflow", ERR_UB),
    ("sum_off_by_one", ERR_UB),
    ("copy_overlap", ERR_MEMORY),
    ("add_alias_hoist", ERR_MEMORY),
])
def test_finds_the_corpus_bug(name, kind):
    verdict = fuzz_files(corpus_pair(name), examples=3000)
    assert verdict.status is Status.INCORRECT
    assert verdict.error == kind
    assert verdict.counterexample.inputs
    assert verdict.counterexample.replayed[0].startswith("found by running both functions")


def test_correct_pair_is_never_reported_correct():
    verdict = fuzz_files(corpus_pair("sdiv2_bias"), examples=500)
    assert verdict.status is Status.UNKNOWN
    assert verdict.reason == "no counterexample in 500 runs"


def test_inputs_where_the_source_has_ub_are_discarded():
    # x*2/2 -> x is right only because overflowing inputs are UB in the source
    verdict = fuzz_files(corpus_pair("mul_div_cancel"), examples=1000)
    assert verdict.status is Status.UNKNOWN
    runs = int(verdict.reason.split(" runs")[0].split()[-1])
    assert runs < 1000 and "discarded: the source has UB" in verdict.reason


def test_target_that_loops_forever_is_reported_without_hanging(tmp_path):
    path = write(tmp_path, "loop.c", "int f(int x) { return x; }\n"
                 "int g(int x) { while (x == x) { } return x; }\n")
    start = time.monotonic()
    verdict = fuzz_files(Pair(path, "f", path, "g"), examples=50)
    assert time.monotonic() - start < 30
    assert verdict.status is Status.INCORRECT and verdict.error == ERR_UB
    assert "no result within" in verdict.counterexample.target_value


def test_target_exhausting_memory_is_contained(tmp_path):
    path = write(tmp_path, "mem.c", "int f(int x) { return x & 1; }\n"
                 "int g(int x) { volatile char big[1 << 30]; big[(x & 1) << 29] = 1;"
                 " return big[(x & 1) << 29] & x; }\n")
    start = time.monotonic()
    verdict = fuzz_files(Pair(path, "f", path, "g"), examples=20)
    assert time.monotonic() - start < 30
    assert verdict.status is Status.INCORRECT and verdict.error == ERR_UB


def test_target_may_only_call_what_the_source_calls(tmp_path):
    path = write(tmp_path, "calls.c", "#include <stdlib.h>\nint f(int x) { return x; }\n"
                 "int g(int x) { return rand() + x; }\n")
    with pytest.raises(BadInput, match="calls rand, which the source does not"):
        fuzz_files(Pair(path, "f", path, "g"), examples=10)


@pytest.mark.parametrize("body", ["return system(\"true\") + x;",
                                  "int (*volatile p)(void) = fork; return p() + x;"])
def test_code_that_starts_processes_is_refused_before_it_runs(tmp_path, body):
    # even when the source calls the same: veriopt runs both
    path = write(tmp_path, "calls.c", "#include <stdlib.h>\nint fork(void);\n"
                 f"int f(int x) {{ {body} }}\nint g(int x) {{ {body} }}\n")
    with pytest.raises(BadInput, match="refusing to run 'f': it calls (system|fork)"):
        fuzz_files(Pair(path, "f", path, "g"), examples=10)


def test_a_source_that_never_returns_ends_at_the_time_budget(tmp_path):
    path = write(tmp_path, "loop.c", "int f(int x) { for (;;) {} return x; }\n"
                 "int g(int x) { for (;;) {} return x; }\n")
    start = time.monotonic()
    verdict = fuzz_files(Pair(path, "f", path, "g"), examples=10000, time_budget=8)
    assert time.monotonic() - start < 20     # not 10,000 inputs of a second each
    assert verdict.status is Status.UNKNOWN and "no counterexample in 0 runs" in verdict.reason
    assert "discarded" in verdict.reason


def test_generation_is_deterministic_and_edge_biased():
    params = [("a", PtrT(INT)), ("n", INT), ("x", INT)]
    first = generate(params, 200, 7)
    again = generate(params, 200, 7)
    assert [c.encode(params) for c in first] == [c.encode(params) for c in again]
    xs = {c.ints["x"] for c in first}
    assert {0, 2**31 - 1, -2**31} & xs                      # limits show up
    assert all(0 <= c.ints["n"] <= 16 for c in first)      # lengths stay small
    assert all(len(c.groups[c.pointers["a"][0]]) >= 4 * max(c.ints["n"], 0) for c in first)


def test_aliasing_and_separate_buffers_are_both_generated():
    params = [("a", PtrT(INT)), ("b", PtrT(INT)), ("n", INT)]
    cases = generate(params, 300, 1)
    shared = [c for c in cases if c.pointers["a"][0] == c.pointers["b"][0]]
    assert 0 < len(shared) < len(cases)


def test_edge_values_stay_in_range():
    assert set(edge_values(UCHAR)) <= set(range(256))
    assert 255 in edge_values(UCHAR)


def test_ir_pairs_go_to_the_ir_interpreter(tmp_path):
    pair = write(tmp_path, "pair.ll", "define i8 @src(i8 %a) {\n  %r = udiv i8 %a, 2\n  ret i8 %r\n}\n"
                 "define i8 @tgt(i8 %a) {\n  %r = ashr i8 %a, 1\n  ret i8 %r\n}\n")
    verdict = fuzz_ir(pair, examples=500)
    assert verdict.status is Status.INCORRECT and verdict.error == ERR_VALUE


WRONG_HALF = ("int f(int x) { return x / 2; }\n", "int f(int x) { return x >> 1; }\n")


def test_two_c_texts_are_fuzzed_within_a_runs_limits():
    """The gate's entry: texts in, the limits' example count honoured, the
    first mismatch comes back run on both compiled functions."""
    found = fuzz_sources(*WRONG_HALF, "f", Limits(fuzz_examples=500))
    assert (found.status, found.error) == (Status.INCORRECT, ERR_VALUE)
    assert found.counterexample.replayed[0].startswith("found by running both functions")
    assert int(dict(found.counterexample.inputs)["x"].split()[0]) < 0
    same = fuzz_sources(WRONG_HALF[0], "int f(int x) { return x / 2 + 0; }\n", "f",
                        Limits(fuzz_examples=120))
    assert (same.status, same.reason) == (Status.UNKNOWN, "no counterexample in 120 runs")
    counted = fuzz_sources(WRONG_HALF[0], WRONG_HALF[0], "f", Limits(), examples=30)
    assert counted.reason == "no counterexample in 30 runs"


def test_given_inputs_refute_only_where_they_differ(tmp_path):
    src, tgt = write(tmp_path, "a.c", WRONG_HALF[0]), write(tmp_path, "b.c", WRONG_HALF[1])
    pair = Pair(src, "f", tgt, "f")
    assert check_inputs(pair, [{"x": 4}, {"x": 100}]) is None
    assert check_inputs(pair, [{"y": -3}]) is None           # names no parameter of f
    verdict = check_inputs(pair, [{"x": 4}, {"x": -3}])
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert dict(verdict.counterexample.inputs)["x"] == "-3"


# ---------------------------------------------------------------- uninitialised memory

# x <= 0 reads `a` before any write: UB in the source (verify-c proves the
# rewrite), which UBSan does not see; at -O0 `a` holds whatever the stack held
UNINIT_LOCAL = "int f(int x) { int a; if (x > 0) a = x; return a; }\n"
UNINIT_HEAP = ("#include <stdlib.h>\nint f(int x) { int *p = malloc(4 * sizeof *p);"
               " if (x > 0) p[0] = x; int r = p[0]; free(p); return r; }\n")
DEFINED = "int f(int x) { return x > 0 ? x : 0; }\n"


@pytest.mark.parametrize("source", [UNINIT_LOCAL, UNINIT_HEAP])
def test_inputs_where_the_source_reads_uninitialised_memory_are_skipped(tmp_path, source):
    pair = Pair(write(tmp_path, "src.c", source), "f", write(tmp_path, "tgt.c", DEFINED), "f")
    stats = FuzzStats()
    verdict = fuzz_files(pair, examples=300, stats=stats)
    assert verdict.status is Status.UNKNOWN, verdict.counterexample
    assert stats.uninitialised > 0 and stats.runs > 0
    assert stats.runs + stats.skipped == 300
    assert f"{stats.uninitialised} where the source reads uninitialised memory" in verdict.reason


def test_a_genuine_difference_is_found_beside_uninitialised_inputs(tmp_path):
    # the target is wrong at x = 1, where the source is defined
    pair = Pair(write(tmp_path, "src.c", UNINIT_LOCAL), "f",
                write(tmp_path, "tgt.c", "int f(int x) { return x > 1 ? x : 0; }\n"), "f")
    stats = FuzzStats()
    verdict = fuzz_files(pair, examples=300, stats=stats)
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert dict(verdict.counterexample.inputs)["x"] == "1"
    assert stats.uninitialised > 0


def test_a_target_that_reads_uninitialised_memory_is_refuted(tmp_path):
    # the other way round the read is the target's: a real bug
    pair = Pair(write(tmp_path, "src.c", DEFINED), "f",
                write(tmp_path, "tgt.c", UNINIT_LOCAL), "f")
    stats = FuzzStats()
    verdict = fuzz_files(pair, examples=300, stats=stats)
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert int(dict(verdict.counterexample.inputs)["x"].split()[0]) <= 0
    assert stats.uninitialised == 0


def test_the_command_reports_the_skipped_inputs(tmp_path, capsys):
    import jsonschema
    from veriopt.cli import main
    schema = json.loads((CORPUS.parent.parent.parent / "docs" / "schema"
                         / "veriopt.schema.json").read_text())
    argv = ["fuzz", write(tmp_path, "src.c", UNINIT_LOCAL), write(tmp_path, "tgt.c", DEFINED),
            "-f", "f", "--examples", "300"]
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert out.startswith("no counterexample in ") and "where the source reads uninitialised" in out
    assert main(argv + ["--json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["runs"] + doc["skipped"] == 300
    assert doc["skipped"] == doc["skipped_uninitialised"] > 0
