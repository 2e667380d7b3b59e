"""Hypothesis property tying the prover to concrete execution: for random
small rewrites, a `correct` verdict must survive exhaustive concrete runs
of the same semantics, and every concrete difference must be refuted by
the prover. (The interpreter is in turn tied to LLVM's JIT by
test_semantics_vs_jit.py.)"""
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from veriopt.translation.ir_smt.evaluate import POISON, ConcreteRunner
from veriopt.verify import verdict as V
from veriopt.verify.refinement import VerifyOptions, verify_pair

from helpers import function

OPS = ["add", "add nsw", "add nuw", "sub", "sub nsw", "mul", "mul nuw", "and", "or",
       "or disjoint", "xor", "shl", "shl nsw", "lshr", "lshr exact", "ashr", "udiv", "urem",
       "sdiv exact"]
LEAVES = ["%x", "%y", "0", "1", "2", "3", "-1", "7"]


@st.composite
def bodies(draw):
    """Two or three i4 instructions over %x, %y; the last one is returned."""
    lines, names = [], []
    for k in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(OPS))
        a = draw(st.sampled_from(LEAVES + names))
        b = draw(st.sampled_from(LEAVES + names))
        lines.append(f"  %v{k} = {op} i4 {a}, {b}")
        names.append(f"%v{k}")
    lines.append(f"  ret i4 {names[-1]}")
    return "\n".join(lines)


def exhaustive_difference(src, tgt) -> bool:
    """Every i4 input pair, with and without poison: does tgt fail to refine src?"""
    a, b = ConcreteRunner(src), ConcreteRunner(tgt)
    values = list(range(16)) + [POISON]
    for args in itertools.product(values, repeat=2):
        ra = a.run(list(args))
        if ra.ub:
            continue
        rb = b.run(list(args))
        if rb.ub:
            return True
        x, y = ra.value[0], rb.value[0]
        if x is not POISON and (y is POISON or x != y):
            return True
    return False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies(), bodies(), st.sampled_from(["other", "same", "swapped"]))
def test_prover_agrees_with_exhaustive_concrete_runs(src_body, tgt_body, relation):
    if relation == "same":        # exercise `correct`: identical and
        tgt_body = src_body
    elif relation == "swapped":   # commuted operands (correct for some ops)
        tgt_body = src_body.replace("%x", "%t").replace("%y", "%x").replace("%t", "%y")
    text = (f"define i4 @src(i4 %x, i4 %y) {{\n{src_body}\n}}\n"
            f"define i4 @tgt(i4 %x, i4 %y) {{\n{tgt_body}\n}}\n")
    src, tgt = function(text, "src"), function(text, "tgt")
    opts = VerifyOptions(disable_undef_input=True, timeout=20)
    verdict = verify_pair(src, tgt, opts)
    assert verdict.status in (V.Status.CORRECT, V.Status.INCORRECT), verdict.render()
    differs = exhaustive_difference(src, tgt)
    # both functions here are deterministic, so exhaustive runs decide refinement
    assert (verdict.status is V.Status.INCORRECT) == differs, text
