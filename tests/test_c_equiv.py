"""Bounded equivalence of C functions: every corpus pair gets its expected
verdict, counterexamples are replayed, and nothing unproved reads `correct`."""
from __future__ import annotations

import json

import pytest

from c_helpers import CORPUS, write
from veriopt.verify.c_equiv import Pair, verify_files
from veriopt.verify.verdict import ERR_MEMORY, ERR_UB, ERR_VALUE, Status

MANIFEST = json.loads((CORPUS / "manifest.json").read_text())["pairs"]


def corpus_pair(entry: dict) -> Pair:
    return Pair(str(CORPUS / entry["original"]), entry["src_fn"],
                str(CORPUS / entry["rewritten"]), entry["tgt_fn"])


def test_corpus_is_large_and_mixed():
    kinds = {(e["expected"], e["error"]) for e in MANIFEST}
    assert len(MANIFEST) >= 30
    assert {("correct", None), ("incorrect", ERR_UB), ("incorrect", ERR_VALUE),
            ("incorrect", ERR_MEMORY)} <= kinds


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["name"] for e in MANIFEST])
def test_corpus_pair_gets_expected_verdict(entry):
    verdict = verify_files(corpus_pair(entry), unroll=entry["unroll"], timeout=60,
                           replay=entry["expected"] == "incorrect")
    assert verdict.status.value == entry["expected"], verdict.render()
    assert verdict.error == entry["error"]
    assert bool(verdict.bounded) == entry["bounded"], verdict.bounded
    if entry["bounded"]:
        assert f"bounded: {entry['unroll']} iterations" in verdict.render()
    if verdict.status is Status.INCORRECT:
        cex = verdict.counterexample
        assert cex is not None and cex.inputs and cex.replayed
        assert cex.replayed[0].startswith("replayed with ")


def test_value_mismatch_is_confirmed_by_running_both(tmp_path):
    entry = next(e for e in MANIFEST if e["name"] == "sdiv4_shift")
    verdict = verify_files(corpus_pair(entry), unroll=4)
    cex = verdict.counterexample
    x = int(dict(cex.inputs)["x"].split()[0])
    assert x < 0 and x % 4 != 0                      # the inputs where rounding differs
    assert cex.source_value.split()[0] == str(int(x / 4))   # C rounds toward zero
    assert cex.target_value.split()[0] == str(x >> 2)       # the shift toward -infinity
    assert "confirmed by execution: the return values differ" in cex.replayed


def test_out_of_bounds_read_is_confirmed_by_the_guard_page():
    entry = next(e for e in MANIFEST if e["name"] == "sum_off_by_one")
    verdict = verify_files(corpus_pair(entry), unroll=4)
    assert "out-of-bounds memory access" in verdict.counterexample.target_value
    assert any("memory fault" in note for note in verdict.counterexample.replayed)


def test_loop_needing_more_than_the_bound_is_labelled_bounded(tmp_path):
    src = write(tmp_path, "a.c", "unsigned f(unsigned n) { unsigned s = 0;"
                " for (unsigned i = 0; i < n; i++) s += 3; return s; }\n")
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return 3 * n; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert verdict.status is Status.CORRECT
    assert verdict.bounded and verdict.bounded.startswith("bounded: 4 iterations")
    assert verdict.render().startswith("Transformation seems to be correct! (bounded: 4")


def test_constant_trip_count_within_the_bound_is_a_full_proof(tmp_path):
    src = write(tmp_path, "a.c", "unsigned f(unsigned x) { unsigned s = 0;"
                " for (int i = 0; i < 4; i++) s += x; return s; }\n")
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned x) { return x << 2; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert (verdict.status, verdict.bounded) == (Status.CORRECT, None)


def test_bug_beyond_the_bound_is_never_called_a_full_proof(tmp_path):
    src = write(tmp_path, "a.c", "unsigned f(unsigned n) { unsigned s = 0;"
                " for (unsigned i = 0; i < n; i++) s += 1; return s; }\n")
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return n < 10 ? n : 0; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert verdict.status is Status.CORRECT and verdict.bounded  # only up to the bound
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=12)
    assert verdict.status is Status.INCORRECT and verdict.error == ERR_VALUE


def test_target_ub_before_a_long_loop_is_found(tmp_path):
    """UB within the unrolled prefix is real even when the loop would go on:
    at n = INT_MIN the rewrite's `n - 1` overflows (and then loops ~2^31 times)."""
    src = write(tmp_path, "a.c", "void zero(int *a, int n) { for (int i = 0; i < n; i++) a[i] = 0; }\n")
    tgt = write(tmp_path, "b.c", "void zero(int *a, int n) { for (int i = n - 1; i >= 0; i--) a[i] = 0; }\n")
    verdict = verify_files(Pair(src, "zero", tgt, "zero"), unroll=3)
    assert verdict.status is Status.INCORRECT and verdict.error == ERR_UB
    assert dict(verdict.counterexample.inputs)["n"].startswith("-2147483648")
    assert "signed integer overflow in '-'" in verdict.counterexample.target_value


def test_target_that_never_terminates_is_not_correct(tmp_path):
    path = write(tmp_path, "a.c", "int f(int x) { return x; }\n"
                 "int g(int x) { while (1) { } return x; }\n")
    verdict = verify_files(Pair(path, "f", path, "g"), unroll=4)
    assert verdict.status is Status.UNKNOWN
    assert "nothing checked" in verdict.reason


def test_solver_timeout_is_unknown_never_correct():
    entry = next(e for e in MANIFEST if e["name"] == "sum_unroll2")
    verdict = verify_files(corpus_pair(entry), unroll=8, timeout=0.05)
    assert verdict.status is Status.UNKNOWN
    assert verdict.render() == "ERROR: Timeout"


def test_symbolic_execution_respects_the_time_budget(tmp_path):
    src = write(tmp_path, "a.c", "unsigned f(unsigned n) { unsigned s = 0;"
                " for (unsigned i = 0; i < n; i++) s += i * i; return s; }\n")
    verdict = verify_files(Pair(src, "f", src, "f"), unroll=100000, timeout=0.5)
    assert verdict.status is Status.UNKNOWN and verdict.reason == "timeout"
    assert verdict.seconds < 20


def test_restrict_added_only_by_the_target_is_checked_against_aliasing(tmp_path):
    src = write(tmp_path, "a.c", "void addb(unsigned *a, const unsigned *b, int n)"
                " { for (int i = 0; i < n; i++) a[i] += b[0]; }\n")
    tgt = write(tmp_path, "b.c", "void addb(unsigned *restrict a, const unsigned *restrict b,"
                " int n) { if (n <= 0) return; unsigned t = b[0];"
                " for (int i = 0; i < n; i++) a[i] += t; }\n")
    verdict = verify_files(Pair(src, "addb", tgt, "addb"), unroll=3, replay=False)
    assert verdict.error == ERR_MEMORY


TABLE = """#include <stdint.h>
static const uint8_t nib[16] = {0,1,1,2,1,2,2,3,1,2,2,3,2,3,3,4};
static const int SHIFT = 4;
int pc8(uint8_t x) { return nib[x & 15] + nib[x >> SHIFT]; }
int fast(uint8_t x) { return __builtin_popcount(x); }
int wrong(uint8_t x) { return nib[x & 15] + nib[(x >> 3) & 15]; }
int past_end(uint8_t x) { return nib[x & 15] + nib[x >> 3]; }
"""


@pytest.mark.parametrize("tgt,status,error", [
    ("fast", Status.CORRECT, None),
    ("wrong", Status.INCORRECT, ERR_VALUE),
    ("past_end", Status.INCORRECT, ERR_UB),
])
def test_const_lookup_tables(tmp_path, tgt, status, error):
    path = write(tmp_path, "t.c", TABLE)
    verdict = verify_files(Pair(path, "pc8", path, tgt), replay=False)
    assert (verdict.status, verdict.error) == (status, error)


def test_mutable_global_is_unsupported(tmp_path):
    path = write(tmp_path, "g.c", "int calls;\nint f(int x) { return x; }\nint g(int x) { return x; }\n")
    verdict = verify_files(Pair(path, "f", path, "g"))
    assert verdict.render() == "ERROR: Unsupported: global variable 'calls' at line 1"


def test_unsupported_construct_is_named_with_its_line(tmp_path):
    src = write(tmp_path, "a.c", "int f(int x) { return x; }\n")
    tgt = write(tmp_path, "b.c", "int f(int x) {\n  double d = x;\n  return (int)d;\n}\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"))
    assert verdict.status is Status.UNSUPPORTED
    assert verdict.render() == "ERROR: Unsupported: floating-point type 'double' at line 2"


def test_restrict_licenses_what_aliasing_forbids():
    by_name = {e["name"]: e for e in MANIFEST}
    aliasing = verify_files(corpus_pair(by_name["add_alias_hoist"]), unroll=3)
    restricted = verify_files(corpus_pair(by_name["add_restrict_hoist"]), unroll=3)
    assert aliasing.error == ERR_MEMORY
    assert "aliases a" in dict(aliasing.counterexample.inputs)["b"]
    assert restricted.status is Status.CORRECT
