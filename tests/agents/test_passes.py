"""The passes agent proposes LLVM's outputs that changed the function and
kept its signature; every proposal still has to pass the verifier."""
from __future__ import annotations

from veriopt.agents.base import Proposer, Task
from veriopt.agents.passes import PassesAgent, body_and_signature, run_level, run_passes
from veriopt.verify.api import verify_ir
from veriopt.verify.verdict import Status

SOURCE = """define i32 @f(i32 %x) {
  %a = mul i32 %x, 8
  %c = icmp ult i32 %a, %x
  %s = select i1 %c, i32 %a, i32 %x
  ret i32 %s
}
"""


def test_is_a_proposer():
    assert isinstance(PassesAgent(), Proposer)


def test_o2_strength_reduces():
    out = run_level(SOURCE, 2)
    assert "shl i32 %x, 3" in out and "mul" not in out.split("@f(")[1].split("}")[0]


def test_single_pass_sequence():
    out = run_passes(SOURCE, ("add_instruction_combine_pass",))
    assert "llvm.umin.i32" in out


def test_proposals_differ_keep_signature_and_verify():
    candidates = PassesAgent().propose(Task("f", "ir", SOURCE))
    assert candidates
    original = body_and_signature(SOURCE, "f")
    bodies = set()
    for c in candidates:
        body, signature = body_and_signature(c.code, "f")
        assert signature == original[1] and body != original[0]
        bodies.add(body)
        assert verify_ir(SOURCE, c.code, "f", "f").status is Status.CORRECT
    assert len(bodies) == len(candidates)


def test_nothing_to_propose_for_optimal_code():
    text = "define i32 @f(i32 %x) {\n  %a = add i32 %x, 1\n  ret i32 %a\n}\n"
    assert PassesAgent().propose(Task("f", "ir", text)) == []


def test_c_level_is_not_its_business():
    assert PassesAgent().propose(Task("f", "c", "int f(int x) { return x; }")) == []


def test_opt_pipelines_when_installed():
    import shutil

    import pytest
    from veriopt.agents.passes import run_opt
    if not shutil.which("opt-22"):
        pytest.skip("opt-22 not installed")
    out = run_opt(SOURCE, "early-cse,instcombine")
    assert out is not None and "llvm.umin.i32" in out
    assert run_opt(SOURCE, "no-such-pass") is None
