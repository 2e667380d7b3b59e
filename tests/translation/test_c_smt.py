"""C semantics as SMT: hand-computed UB and value cases, a property test
comparing the semantics with compiled execution on random expressions, loops
compared with compiled execution, and the loops unrolled fully because their
header bounds them."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from veriopt.errors import Unsupported
from veriopt.translation import c_smt
from veriopt.translation.c_frontend import load

from c_helpers import Symbolic, run_concrete, write

INT_MAX, INT_MIN = 2**31 - 1, -2**31

# (function text, args, expected UB, expected value when defined)
CASES = [
    ("int f(int x) { return x + 1; }", [INT_MAX], True, None),
    ("int f(int x) { return x + 1; }", [INT_MAX - 1], False, INT_MAX),
    ("unsigned f(unsigned x) { return x + 1; }", [2**32 - 1], False, 0),
    ("int f(int x) { return -x; }", [INT_MIN], True, None),
    ("int f(int x, int y) { return x * y; }", [65536, 32768], True, None),
    ("int f(int x, int y) { return x * y; }", [-65536, 32768], False, INT_MIN),
    ("int f(int x, int y) { return x - y; }", [INT_MIN, 1], True, None),
    ("int f(int x, int y) { return x / y; }", [INT_MIN, -1], True, None),
    ("int f(int x, int y) { return x % y; }", [INT_MIN, -1], True, None),
    ("int f(int x, int y) { return x / y; }", [7, 0], True, None),
    ("int f(int x, int y) { return x % y; }", [-7, 2], False, -1),
    ("int f(int x, int y) { return x / y; }", [-7, 2], False, -3),
    ("int f(int x) { return 1 << x; }", [31], True, None),          # C11: 2^31 not representable
    ("int f(int x) { return 1 << x; }", [30], False, 2**30),
    ("unsigned f(int x) { return 1u << x; }", [31], False, 2**31),
    ("int f(int x) { return 1 << x; }", [32], True, None),
    ("int f(int x) { return 8 >> x; }", [-1], True, None),
    ("int f(int x) { return x << 1; }", [-1], True, None),          # left shift of a negative
    ("int f(int x) { return x >> 1; }", [-7], False, -4),           # gcc: arithmetic shift
    ("long f(long x) { return x << 40; }", [1], False, 2**40),
    ("int f(unsigned short a, unsigned short b) { return a * b; }", [65535, 65535], True, None),
    ("int f(unsigned char a) { return a + 1; }", [255], False, 256),
    ("int f(int x) { return x < 1u; }", [-1], False, 0),            # -1 converts to UINT_MAX
    ("int f(long x) { return x < 1u; }", [-1], False, 1),           # long holds all unsigned
    ("int f(int x) { return (signed char)x; }", [200], False, -56),
    ("int f(int x) { return (_Bool)x; }", [256], False, 1),
    ("unsigned f(int x) { return (unsigned char)x; }", [-1], False, 255),
    ("int f(int x) { int y; if (x) y = 1; return y; }", [0], True, None),
    ("int f(int x) { int y; if (x) y = 1; return y; }", [5], False, 1),
    ("int f(int x) { int a[4] = {1, 2}; return a[x]; }", [3], False, 0),
    ("int f(int x) { int a[4] = {1, 2}; return a[x]; }", [4], True, None),
    ("int f(int x) { int a[4] = {1, 2}; return a[x]; }", [-1], True, None),
    ("int f(int x) { int a[4]; a[0] = 3; return a[x]; }", [1], True, None),
    ("int f(int x) { int a[4]; a[1] = 3; return a[x]; }", [1], False, 3),
    ("int f(int x) { return x != 0 && 10 / x > 1; }", [0], False, 0),
    ("int f(int x) { return x == 0 || 10 / x > 1; }", [0], False, 1),
    ("int f(int x) { return x ? 10 / x : 0; }", [0], False, 0),
    ("int f(int x) { switch (x) { case 1: x += 10; case 2: x += 100; break; default: x = 0; }"
     " return x; }", [1], False, 111),
    ("int f(int x) { switch (x) { case 1: x += 10; case 2: x += 100; break; default: x = 0; }"
     " return x; }", [3], False, 0),
    ("int f(int n) { int s = 0; for (int i = 0; i < n; i++) { if (i == 3) continue; "
     "if (i == 5) break; s += i; } return s; }", [10], False, 0 + 1 + 2 + 4),
    ("int f(int n) { int s = 0; do { s++; } while (--n > 0); return s; }", [3], False, 3),
    ("int g(int a) { return a * 2; } int f(int x) { return g(x) + 1; }", [20], False, 41),
    ("int f(unsigned x) { return __builtin_popcount(x); }", [0xF0F0], False, 8),
    ("int f(unsigned x) { return __builtin_clz(x); }", [0], True, None),
    ("int f(unsigned x) { return __builtin_clz(x); }", [1], False, 31),
    ("int f(unsigned x) { return __builtin_ctz(x); }", [8], False, 3),
    ("unsigned f(unsigned x) { return __builtin_bswap32(x); }", [0x11223344], False, 0x44332211),
    ("int f(int x) { return abs(x); }", [INT_MIN], True, None),
    ("int f(int x) { return abs(x); }", [-5], False, 5),
    ("int f(int x) { if (x > 0) return 1; __builtin_unreachable(); }", [0], True, None),
    ("int f(int x) { if (x > 0) return 1; }", [0], True, None),      # falls off the end
    ("int f(int x) { return __builtin_expect(x, 0) + 1; }", [4], False, 5),
    ("int f(int x) { return sizeof(long) + sizeof x; }", [0], False, 12),
    ("long f(int x) { return 0x7fffffff + x; }", [1], True, None),
    ("long f(int x) { return 0x7fffffffL + x; }", [1], False, 2**31),
    ("unsigned f(int x) { return 0xffffffff + x; }", [1], False, 0),  # hex literal is unsigned
]


@pytest.mark.parametrize("text,args,ub,value", CASES)
def test_hand_computed(tmp_path, text, args, ub, value):
    got_ub, got_value, _ = run_concrete(tmp_path, "#include <stdlib.h>\n" + text, "f", args)
    assert got_ub == ub
    if not ub:
        assert got_value == value


def test_loop_beyond_unroll_bound_is_reported_as_unwinding(tmp_path):
    text = "int f(int n) { int s = 0; for (int i = 0; i < n; i++) s += 2; return s; }"
    _, value, unwound = run_concrete(tmp_path, text, "f", [3], unroll=4)
    assert (value, unwound) == (6, False)
    _, _, unwound = run_concrete(tmp_path, text, "f", [5], unroll=4)
    assert unwound


@pytest.mark.parametrize("text,construct", [
    ("double f(double x) { return x; }", "floating-point type 'double'"),
    ("struct s { int a; }; int f(struct s *p) { return p->a; }", "struct"),
    ("int g; int f(int x) { return x + g; }", "global variable 'g'"),
    ("int f(int x) { if (x) goto out; x = 1; out: return x; }", "goto"),
    ("int f(int x) { return x ? f(x - 1) : 0; }", "recursive call to 'f'"),
    ("int ext(int); int f(int x) { return ext(x); }", "call to 'ext' (not defined in the file)"),
    ("int f(int x) { int *p = &x; return *p; }", "address of a scalar variable"),
    ("int f(int x) { return x++ + x; }", "unsequenced modification of 'x'"),
    ("int f(int i) { int a[2] = {0}; a[i & 1] = i++; return a[0]; }",
     "unsequenced modification of 'i'"),
    ("int f(int x) { x = x++; return x; }", "unsequenced modification of 'x'"),
])

def test_unmodelled_constructs_are_named_with_their_line(tmp_path, text, construct):
    program = load(write(tmp_path, "u.c", text))
    with pytest.raises(Unsupported) as err:
        params = c_smt.read_params(program, program.function("f"))
        c_smt.Executor(program, 4, "source").run("f", c_smt.make_inputs(params))
    assert construct in str(err.value)
    assert "at line 1" in str(err.value)


@pytest.mark.parametrize("text", [
    "int f(int x) { x = x + 1; x += x; return x; }",
    "int f(int i) { int a[4] = {0}; a[i & 3] = a[i & 3] * 2; int s = 0; s += a[i++ & 3];"
    " return s + i; }",
    "int f(int x) { int y = (x++, x++); return x > 0 && x++ > 1 ? x : y; }",
])
def test_sequenced_side_effects_are_modelled(tmp_path, text):
    ub, _, _ = run_concrete(tmp_path, text, "f", [1])
    assert ub is False


# ---------------------------------------------------------------- property test

VARS = [("a", "int"), ("b", "int"), ("c", "unsigned"), ("d", "long"), ("e", "unsigned char")]
BINOPS = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "<", "==", "&&", "||"]
CASTS = ["(int)", "(unsigned)", "(long)", "(short)", "(unsigned char)", "(signed char)"]


def expressions() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from([v for v, _ in VARS]), st.sampled_from([v for v, _ in VARS]),
                     st.sampled_from(["0", "1", "2", "31", "-1", "7u", "0x80000000", "3L"]))

    def extend(inner):
        return st.one_of(
            st.builds(lambda l, op, r: f"({l} {op} {r})", inner, st.sampled_from(BINOPS), inner),
            st.builds(lambda c, e: f"{c}({e})", st.sampled_from(CASTS + ["-", "~", "!"]), inner),
            st.builds(lambda c, x, y: f"({c} ? {x} : {y})", inner, inner, inner))
    return st.recursive(leaf, extend, max_leaves=3)


EDGE_INPUTS = [(0, 0, 0, 0, 0), (1, -1, 2**32 - 1, -1, 255), (INT_MAX, 2, 31, 2**40, 7),
               (INT_MIN, -1, 1, -(2**63), 128), (-7, 3, 2**31, 5, 1)]

RUNNER = """
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>
static sigjmp_buf jump;
static void on_signal(int sig) { siglongjmp(jump, sig); }
%s
int main(void) {
  signal(SIGILL, on_signal); signal(SIGFPE, on_signal); signal(SIGTRAP, on_signal);
  static int a_[] = {%s}, b_[] = {%s}; static unsigned c_[] = {%s};
  static long d_[] = {%s}; static unsigned char e_[] = {%s};
  for (int k = 0; k < %d; k++) for (int i = 0; i < %d; i++) {
    if (sigsetjmp(jump, 1) == 0) {
      long long r = 0;
      switch (k) { %s }
      printf("%%lld\\n", r);
    } else printf("UB\\n");
    fflush(stdout);
  }
  return 0;
}
"""


def compiled_results(tmp_path, exprs: list[str]) -> list[str]:
    params = ", ".join(f"{t} {v}" for v, t in VARS)
    funcs = "\n".join(f"long long e{k}({params}) {{ return {e}; }}" for k, e in enumerate(exprs))
    cols = list(zip(*EDGE_INPUTS))
    cases = " ".join(f"case {k}: r = e{k}(a_[i], b_[i], c_[i], d_[i], e_[i]); break;"
                     for k in range(len(exprs)))
    lit = lambda xs, suf="": ", ".join(f"{x}{suf}" for x in xs)  # noqa: E731
    source = RUNNER % (funcs, lit(cols[0]), lit(cols[1]), lit(cols[2], "u"), lit(cols[3], "L"),
                       lit(cols[4]), len(exprs), len(EDGE_INPUTS), cases)
    src = write(tmp_path, "prop.c", source.replace("-9223372036854775808L",
                                                   "(-9223372036854775807L-1)"))
    exe = tmp_path / "prop.bin"
    subprocess.run([shutil.which("gcc") or "cc", "-O0", "-w", "-fsanitize=undefined",
                    "-fsanitize-undefined-trap-on-error", src, "-o", str(exe)], check=True,
                   timeout=120)
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    return out.stdout.split()


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(expressions(), min_size=30, max_size=30))
def test_semantics_agree_with_compiled_code(tmp_path, exprs):
    """Where the SMT semantics sees no UB, gcc's code computes the same value
    without trapping; where UBSan traps, the semantics sees UB. (UBSan may miss
    UB that gcc folds away, e.g. `!-x`, so a trap is not required for UB.)"""
    check_against_compiled(tmp_path, exprs)


def check_against_compiled(tmp_path, exprs) -> int:
    """Compare every expression at every edge input with gcc+UBSan's run;
    returns how many defined results were compared value for value."""
    results = compiled_results(tmp_path, exprs)
    assert len(results) == len(exprs) * len(EDGE_INPUTS)
    params = ", ".join(f"{t} {v}" for v, t in VARS)
    checked = 0
    for k, e in enumerate(exprs):
        sym = Symbolic(tmp_path, f"long long f({params}) {{ return {e}; }}", "f")
        for i, inputs in enumerate(EDGE_INPUTS):
            ub, value, _ = sym.at(list(inputs))
            expected = results[k * len(EDGE_INPUTS) + i]
            if expected == "UB":
                assert ub, (e, inputs)
            elif not ub:
                assert str(value) == expected, (e, inputs)
                checked += 1
    return checked


PAIRS = [("a", "b"), ("c", "b"), ("d", "e"), ("b", "d"), ("e", "c")]
SYSTEMATIC = ([f"({x} {op} {y})" for op in BINOPS for x, y in PAIRS]
              + [f"{u}({v})" for u in CASTS + ["-", "~", "!"] for v, _ in VARS])


def test_every_operator_agrees_with_compiled_code(tmp_path):
    """Each operator on each pairing of types, at the edge inputs: the same
    oracle as the property test, applied systematically so that no operator's
    semantics is left to the luck of generation."""
    checked = check_against_compiled(tmp_path, SYSTEMATIC)
    assert checked > len(SYSTEMATIC) * 2  # most cases are defined and compared


# ---------------------------------------------------------------- loops

LOOPS = [
    # nested loops, and loops after loops
    "int s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < 2; j++) s++; return s;",
    "int s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) s += j; return s;",
    "int s = 0, i; for (i = 0; i < n; i++) s += i; for (int j = i; j > 0; j--) s += 3; return s;",
    # break, continue, return inside loops; values seen after the loop
    "int i; for (i = 0; i < n; i++) if (i == a) break; return i * 10 + a;",
    "int s = 0; for (int i = 0; i < n; i++) { if (i == a) continue; s += i; } return s;",
    "int r = -1; for (int i = 0; i < n; i++) { if (i * i > a) return i; r = i; } return r;",
    "int i = 0, s = 0; while (1) { if (i >= n) break; s += i++; } return s + i;",
    "int s = 0; do { s += n; n--; } while (n > 0); return s;",
    # switch inside a loop (break leaves the switch, continue the loop)
    "int s = 0; for (int i = 0; i < n; i++) { switch (i & 3) { case 0: s += 1; break;"
    " case 1: continue; default: s += 10; } s += 100; } return s;",
    "int s = 0; for (int i = 0; i < n; i++) { if (i == a) break; switch (a) { case 1: s += 10;"
    " } s++; } return s;",
    # a loop inside a switch, a loop in a called function
    "int s = 0; switch (a) { case 2: for (int i = 0; i < n; i++) { if (i == 3) break; s++; }"
    " break; default: s = -1; } return s;",
    "int s = 0; for (int i = 0; i < n; i++) s += g(i); return s;",
    # counters whose header bounds them (unrolled fully)
    "int s = 0; for (int i = 0; i < 20; i++) { if (i == n + a) break; s += i; } return s;",
    "unsigned s = 0; for (unsigned char i = 0; i < (unsigned char)n; i++) s += i; return s;",
    "int s = 0; for (unsigned char c = 250; c != 4; c++) s += c; return s + n;",   # wraps
]
LOOP_INPUTS = [(n, a) for n in (0, 1, 2, 3, 5, 7) for a in (-1, 1, 2, 4)]
HELPER = "static int g(int x) { int t = 0; for (int k = 0; k <= x; k++) t += k; return t; }\n"


def test_loops_agree_with_compiled_code(tmp_path):
    """Loops with nesting, break/continue/return, switches and calls, run with
    inputs that finish within the unroll bound: the symbolic values equal gcc's."""
    funcs = "\n".join(f"int f{k}(int n, int a) {{ {body} }}" for k, body in enumerate(LOOPS))
    calls = " ".join(f'printf("%d\\n", f{k}(n_[i], a_[i]));' for k in range(len(LOOPS)))
    ns = ", ".join(str(n) for n, _ in LOOP_INPUTS)
    as_ = ", ".join(str(a) for _, a in LOOP_INPUTS)
    src = write(tmp_path, "loops.c", "#include <stdio.h>\n" + HELPER + funcs +
                f"\nint main(void) {{ int n_[] = {{{ns}}}, a_[] = {{{as_}}};"
                f" for (int i = 0; i < {len(LOOP_INPUTS)}; i++) {{ {calls} }} return 0; }}\n")
    exe = tmp_path / "loops.bin"
    subprocess.run([shutil.which("gcc") or "cc", "-O0", "-w", src, "-o", str(exe)], check=True,
                   timeout=120)
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60).stdout.split()
    for k, body in enumerate(LOOPS):
        sym = Symbolic(tmp_path, HELPER + f"int f(int n, int a) {{ {body} }}", "f", unroll=8)
        for i, args in enumerate(LOOP_INPUTS):
            ub, value, unwound = sym.at(list(args))
            assert (ub, unwound) == (False, False), (body, args)
            assert str(value) == out[i * len(LOOPS) + k], (body, args)


def test_nothing_runs_after_a_loop_cut_off_at_the_bound(tmp_path):
    """After 8 iterations `i` is 8, not n: dividing by i - 8 there is no UB of the
    program, so it must not count (it would excuse exactly the unchecked inputs)."""
    text = ("int f(int n) { int i = 0; while (i < n) i++; return 100 / (i - 8); }")
    ub, _, unwound = run_concrete(tmp_path, text, "f", [20], unroll=8)
    assert (ub, unwound) == (False, True)
    assert run_concrete(tmp_path, text, "f", [8], unroll=8)[0] is True   # real UB at n = 8
    assert run_concrete(tmp_path, text, "f", [5], unroll=8) == (False, -33, False)


@pytest.mark.parametrize("header,full", [
    ("for (int i = 0; i < 100; i++)", True),
    ("for (int i = 99; i >= 0; i--)", True),
    ("for (int i = 0; i < 300 && i != x; i += 3)", True),
    ("for (int i = 10; i + 5 <= 200; i++)", True),
    ("for (uint8_t i = 0; i < n; i++)", True),
    ("for (unsigned char i = 0; i != n; i++)", True),
    ("for (int i = 0; i < (uint8_t)x; i++)", True),
    ("for (int i = n; i > 0; i--)", True),
    ("for (unsigned char c = 250; c != 4; c++)", True),   # wraps: 10 iterations
    ("for (int i = 0; i < x; i++)", False),              # int bound: 2^31 iterations
    ("for (uint8_t i = 0; i <= n; i++)", False),         # i wraps at n = 255: no end
    ("for (uint8_t i = 0; i < x; i++)", False),          # likewise for x > 255
    ("for (int i = 0; i < 100; i++) if (x) i++; else",   # the body moves the counter
     False),
    ("for (int i = 0; i < 2000; i++)", False),           # beyond the full-unroll limit
])
def test_static_trip_counts(tmp_path, header, full):
    """Loops whose header bounds them finish at any unroll bound; the others
    still unwind (and are checked only up to the bound)."""
    sym = Symbolic(tmp_path, "#include <stdint.h>\nunsigned f(uint8_t n, int x) { unsigned s = 0; "
                   + header + " s += x; return s; }", "f", unroll=2)
    solver = z3.Solver()
    solver.add(sym.inputs.assumptions + sym.out.assumptions)
    assert (solver.check(sym.out.unwind) == z3.unsat) == full
