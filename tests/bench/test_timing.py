"""The timing harness: same code measures level, a known speed-up shows,
and candidate code runs only in a limited subprocess."""
from __future__ import annotations

import shutil

import pytest
from veriopt.bench.timing import TimingError, driver_source, measure

pytestmark = pytest.mark.skipif(not shutil.which("clang-22"), reason="clang-22 not installed")

LOOP = """#include <stdint.h>
uint32_t pc(uint32_t x) { uint32_t n = 0; while (x) { n += x & 1; x >>= 1; } return n; }
"""
BUILTIN = """#include <stdint.h>
uint32_t pc(uint32_t x) { return __builtin_popcount(x); }
"""


def test_known_speedup_is_measured():
    t = measure(LOOP, BUILTIN, "pc", "c", runs=7)
    assert t.runs == 7 and t.speedup > 1.5 and t.faster()


def test_same_code_is_not_faster():
    t = measure(BUILTIN, BUILTIN, "pc", "c", runs=7)
    assert 0.6 < t.median_ratio < 1.6 and not t.faster(margin=0.5)


def test_ir_level():
    base = "define i32 @f(i32 %x) {\n  %a = udiv i32 %x, %x\n  %b = add i32 %a, %x\n  ret i32 %b\n}\n"
    cand = "define i32 @f(i32 %x) {\n  %b = add i32 %x, 1\n  ret i32 %b\n}\n"
    t = measure(base, cand, "f", "ir", runs=5)
    assert t.runs == 5 and t.median_ratio > 0


def test_runaway_candidate_is_stopped():
    hang = "#include <stdint.h>\nuint32_t pc(uint32_t x) { volatile int y = 1; while (y) {} return x; }\n"
    with pytest.raises(TimingError, match="timed out|failed"):
        measure(BUILTIN, hang, "pc", "c", runs=3, timeout=3)


def test_non_integer_signature_is_refused():
    with pytest.raises(TimingError):
        measure("double g(double x) { return x; }", "double g(double x) { return x; }", "g", "c")


def test_driver_alternates_order():
    src = driver_source(32, [32, 8], 16, 4, 1, 0.01)
    assert "run % 2" in src and "uint8_t a1[N]" in src
