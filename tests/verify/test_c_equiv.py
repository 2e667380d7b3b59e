"""Bounded equivalence of C functions: every corpus pair gets its expected
verdict, counterexamples are replayed, and nothing unproved reads `correct`:
a loop checked only up to a bound is `bounded` (exit 4), loops whose header
bounds them are unrolled fully (a proof), and the bound deepens by default."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from veriopt.limits import Limits
from veriopt.verify import c_equiv
from veriopt.verify.c_equiv import DEEPENING, Pair, verify_files
from veriopt.verify.verdict import ERR_MEMORY, ERR_UB, ERR_VALUE, Status

from c_helpers import CORPUS, write

MANIFEST = json.loads((CORPUS / "manifest.json").read_text())["pairs"]


def sum_loop(step: str) -> str:
    """`f(n)`: the sum of `step` over i < n, by a loop the unroll bound cuts."""
    return ("unsigned f(unsigned n) { unsigned s = 0;"
            f" for (unsigned i = 0; i < n; i++) s += {step}; return s; }}\n")


def corpus_pair(entry: dict) -> Pair:
    return Pair(str(CORPUS / entry["original"]), entry["src_fn"],
                str(CORPUS / entry["rewritten"]), entry["tgt_fn"])


def test_corpus_is_large_and_mixed():
    kinds = {(e["expected"], e["error"]) for e in MANIFEST}
    assert len(MANIFEST) >= 30
    assert {("correct", None), ("bounded", None), ("incorrect", ERR_UB),
            ("incorrect", ERR_VALUE), ("incorrect", ERR_MEMORY)} <= kinds
    for e in MANIFEST:   # a bound is stated exactly where the verdict is bounded
        assert (e["bound"] is not None) == (e["expected"] == "bounded"), e["name"]
        assert e["bound"] is None or e["bound"] == (e["unroll"] or DEEPENING[-1]), e["name"]


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["name"] for e in MANIFEST])
def test_corpus_pair_gets_expected_verdict(entry):
    verdict = verify_files(corpus_pair(entry), unroll=entry["unroll"], timeout=60,
                           replay=entry["expected"] == "incorrect")
    assert verdict.status.value == entry["expected"], verdict.render()
    assert verdict.error == entry["error"]
    assert verdict.bound == entry["bound"], verdict.render()
    if entry["bound"] is not None:
        assert verdict.render().startswith(
            f"Transformation is correct up to {entry['bound']} loop iterations "
            "(bounded, not a proof)")
        assert verdict.exit_code == 4
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
    src = write(tmp_path, "a.c", sum_loop("3"))
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return 3 * n; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert (verdict.status, verdict.bound, verdict.exit_code) == (Status.BOUNDED, 4, 4)
    assert verdict.render().startswith(
        "Transformation is correct up to 4 loop iterations (bounded, not a proof)")
    assert verdict.to_json()["verdict"] == "bounded" and verdict.to_json()["bound"] == 4


def test_constant_trip_count_within_the_bound_is_a_full_proof(tmp_path):
    src = write(tmp_path, "a.c", "unsigned f(unsigned x) { unsigned s = 0;"
                " for (int i = 0; i < 4; i++) s += x; return s; }\n")
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned x) { return x << 2; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert (verdict.status, verdict.bound) == (Status.CORRECT, None)


def test_constant_trip_count_beyond_the_bound_is_unrolled_fully(tmp_path):
    """An explicit small bound does not cut a loop whose header fixes its count."""
    src = write(tmp_path, "a.c", "unsigned f(unsigned x) { unsigned s = 0;"
                " for (int i = 0; i < 150; i++) s += x; return s; }\n")
    good = write(tmp_path, "b.c", "unsigned f(unsigned x) { return x * 150; }\n")
    bad = write(tmp_path, "c.c", "unsigned f(unsigned x) { unsigned s = 0;"
                " for (int i = 149; i > 0; i--) s += x; return s; }\n")
    verdict = verify_files(Pair(src, "f", good, "f"), unroll=4)
    assert (verdict.status, verdict.bound) == (Status.CORRECT, None)
    verdict = verify_files(Pair(src, "f", bad, "f"), unroll=4)
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert "confirmed by execution: the return values differ" in verdict.counterexample.replayed


@pytest.mark.parametrize("header", [
    "for (uint8_t i = 0; i < n; i++)",
    "for (int i = n; i > 0; i--)",
])
def test_counter_bounded_by_its_type_is_unrolled_fully(tmp_path, header):
    """A uint8_t bound allows at most 255 iterations: unrolled fully, that is a proof,
    and a difference at iteration 250 is found. (test_c_smt checks more headers.)"""
    src = write(tmp_path, "a.c", "#include <stdint.h>\nunsigned f(uint8_t n) { unsigned s = 0; "
                + header + " s += 2; return s; }\n")
    good = write(tmp_path, "b.c", "#include <stdint.h>\nunsigned f(uint8_t n) { return 2u * n; }\n")
    bad = write(tmp_path, "c.c", "#include <stdint.h>\n"
                "unsigned f(uint8_t n) { return n == 250 ? 0 : 2u * n; }\n")
    verdict = verify_files(Pair(src, "f", good, "f"), unroll=4)
    assert (verdict.status, verdict.bound) == (Status.CORRECT, None), verdict.render()
    verdict = verify_files(Pair(src, "f", bad, "f"), unroll=4, replay=False)
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert dict(verdict.counterexample.inputs)["n"] == "250"


def test_counter_that_can_wrap_is_not_taken_for_bounded(tmp_path):
    """`i <= n` with both uint8_t loops forever at n = 255: no static count, so
    the loop stays bounded by the unroll bound."""
    src = write(tmp_path, "a.c", "#include <stdint.h>\nunsigned f(uint8_t n) { unsigned s = 0;"
                " for (uint8_t i = 0; i < n; i++) s += 1; return s; }\n")
    tgt = write(tmp_path, "b.c", "#include <stdint.h>\nunsigned f(uint8_t n) { unsigned s = 0;"
                " for (uint8_t i = 1; i <= n; i++) s += 1; return s; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert (verdict.status, verdict.bound) == (Status.BOUNDED, 4)


def test_bug_beyond_the_bound_is_never_called_a_full_proof(tmp_path):
    src = write(tmp_path, "a.c", sum_loop("1"))
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return n < 10 ? n : 0; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=4)
    assert (verdict.status, verdict.bound) == (Status.BOUNDED, 4)   # only up to the bound
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=12)
    assert verdict.status is Status.INCORRECT and verdict.error == ERR_VALUE


def test_default_bound_deepens_until_the_difference_shows(tmp_path):
    """Wrong only for n > 40: the default deepening (8, 16, 32, 64) refutes it,
    while an explicit --unroll is checked exactly as given."""
    src = write(tmp_path, "a.c", sum_loop("3"))
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return n > 40 ? 120 : 3 * n; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"))
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert int(dict(verdict.counterexample.inputs)["n"].split()[0]) > 40
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=16)
    assert (verdict.status, verdict.bound) == (Status.BOUNDED, 16)


def test_deepening_stops_at_the_deepest_bound_and_says_so(tmp_path):
    src = write(tmp_path, "a.c", "unsigned f(unsigned n) { unsigned c = 0;"
                " for (unsigned i = 0; i < n; i++) if (i != 100) c++; return c; }\n")
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return n; }\n")
    verdict = verify_files(Pair(src, "f", tgt, "f"))
    assert (verdict.status, verdict.bound) == (Status.BOUNDED, DEEPENING[-1])
    assert "bounds tried: 8, 16, 32, 64" in verdict.note
    verdict = verify_files(Pair(src, "f", tgt, "f"), unroll=101, replay=False)
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)  # n = 101 differs


def test_deepening_that_runs_out_of_time_keeps_the_last_bound(tmp_path, monkeypatch):
    """The rounds share one budget; when a deeper round does not finish, the
    last bounded result is the answer, naming the bound that ran out."""
    src = write(tmp_path, "a.c", sum_loop("3"))
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return 3 * n; }\n")
    real = c_equiv.verify_programs
    calls = []

    def slow_after_the_first(src_prog, tgt_prog, pair, unroll, deadline, replay):
        calls.append((unroll, deadline))
        if unroll > DEEPENING[0]:
            raise c_equiv.OutOfTime()
        return real(src_prog, tgt_prog, pair, unroll, deadline, replay)

    monkeypatch.setattr(c_equiv, "verify_programs", slow_after_the_first)
    verdict = verify_files(Pair(src, "f", tgt, "f"), timeout=5)
    assert (verdict.status, verdict.bound) == (Status.BOUNDED, DEEPENING[0])
    assert "checking 16 loop iterations ran out of time (after 8)" in verdict.note
    assert [u for u, _ in calls] == [8, 16] and len({d for _, d in calls}) == 1  # one deadline


def test_loop_exits_restore_the_values_of_the_leaving_paths(tmp_path):
    """Breaks, nested loops and switches inside loops: each path keeps the values it
    had when it left (the loop counter stays a constant inside the unrolled body)."""
    path = write(tmp_path, "a.c", """
int nested(int n) { int s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < 2; j++) s++; return s; }
int nested_ref(int n) { return n > 0 ? 2 * n : 0; }
int sw(int n, int a) { int s = 0; for (int i = 0; i < n; i++) { if (i == a) break;
  switch (a) { case 1: s += 10; break; default: s += 1; } s++; } return s; }
int sw_ref(int n, int a) { int k = n < 0 ? 0 : n; if (a >= 0 && a < k) k = a;
  return k * (a == 1 ? 11 : 2); }
""")
    for src, tgt in (("nested", "nested_ref"), ("sw", "sw_ref")):
        verdict = verify_files(Pair(path, src, path, tgt), unroll=6)
        assert (verdict.status, verdict.bound) == (Status.BOUNDED, 6), (src, verdict.render())


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
    src = write(tmp_path, "a.c", sum_loop("i * i"))
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
    assert (restricted.status, restricted.bound) == (Status.BOUNDED, 3)


def test_a_runs_limits_choose_the_bound_and_the_budget(tmp_path):
    """`verify_pair` takes the user's Limits: an explicit unroll is checked
    exactly, unroll 0 deepens."""
    src = write(tmp_path, "a.c", sum_loop("3"))
    tgt = write(tmp_path, "b.c", "unsigned f(unsigned n) { return n > 40 ? 120 : 3 * n; }\n")
    verdict = c_equiv.verify_pair(Pair(src, "f", tgt, "f"), Limits(unroll=4), replay=False)
    assert (verdict.status, verdict.bound) == (Status.BOUNDED, 4)
    verdict = c_equiv.verify_pair(Pair(src, "f", tgt, "f"), Limits(solver_seconds=60))
    assert (verdict.status, verdict.error) == (Status.INCORRECT, ERR_VALUE)
    assert verdict.counterexample.replayed[0].startswith("replayed with ")


def test_concrete_execution_does_not_lean_on_the_symbolic_check():
    """Replay and the compiled runs live below c_equiv and fuzz: no import
    (TYPE_CHECKING ones included) goes back up to them."""
    package = Path(c_equiv.__file__).parent / "concrete"
    for path in [*package.glob("*.py"), package.parent / "c_pair.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in ("veriopt.verify.c_equiv", "veriopt.verify.fuzz"), path
                names = {a.name for a in node.names}
                assert not (node.module == "veriopt.verify" and names & {"c_equiv", "fuzz"}), path
