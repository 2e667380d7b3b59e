"""The superoptimizer finds known cheaper versions, proves each with
verify_ir, solves for constants it was not given, and keeps its deadline."""
from __future__ import annotations

import time
from pathlib import Path

from veriopt.agents.base import Proposer, Task
from veriopt.agents.superopt import Problem, SuperoptAgent, initial_examples
from veriopt.agents.superopt.concrete import evaluator
from veriopt.bench.cost import static_cost
from veriopt.ir.loader import load_text
from veriopt.verify.api import verify_ir
from veriopt.verify.verdict import Counterexample, Status, Verdict

CORPUS = Path(__file__).parent.parent.parent / "veriopt" / "corpus" / "opt" / "ir"


def _propose(text: str, **kw):
    return SuperoptAgent(**kw).propose(Task("f", "ir", text))


def _check(text: str, candidates, expected_cost: int) -> str:
    assert len(candidates) == 1
    code = candidates[0].code
    assert verify_ir(text, code, "f", "f").status is Status.CORRECT
    assert static_cost(code, "f", mca=False).weighted == expected_cost
    return code


def test_is_a_proposer():
    assert isinstance(SuperoptAgent(), Proposer)


def test_mul9_becomes_shift_and_add():
    text = (CORPUS / "mul9.ll").read_text()
    code = _check(text, _propose(text, deadline=20), 2)
    body = code.split("@f(")[1]
    # x is read twice where the source read it once: frozen first (x may be undef)
    assert "%x.fr = freeze i32 %x" in body and "shl i32 %x.fr, 3" in body
    assert "add i32 %x.fr, %so0" in body and "mul" not in body


def test_paths_count_shared_values_as_repeated_reads():
    from veriopt.agents.superopt.emit import paths_to_result
    defs = [("%a", ["%x"]), ("%r", ["%a", "%a"])]
    assert paths_to_result(defs, "%r")["%x"] == 2


def test_select_idiom_becomes_umin():
    text = (CORPUS / "select_umin.ll").read_text()
    assert "llvm.umin.i32" in _check(text, _propose(text, deadline=20), 1)


def test_branchy_function_is_resynthesised():
    text = (CORPUS / "branchy_abs.ll").read_text()
    assert "llvm.abs.i32" in _check(text, _propose(text, deadline=20), 1)


def test_unrolled_popcount_becomes_ctpop():
    text = (CORPUS / "popcount8_unrolled.ll").read_text()
    assert "llvm.ctpop.i8" in _check(text, _propose(text, deadline=20), 1)


def test_constant_found_by_cegis():
    # 12 is neither in the constant pool nor in the source: only the
    # symbolic-constant search can find `add x, 12`
    text = "define i32 @f(i32 %x) {\n  %a = add i32 %x, 7\n  %b = add i32 %a, 5\n  ret i32 %b\n}\n"
    code = _check(text, _propose(text, deadline=20), 1)
    assert "add i32 %x, 12" in code


def test_constant_solved_by_z3():
    # and-masks cannot be read off one example: the constant 240 comes from
    # z3 solving over the examples, then the CEGIS check on all inputs
    text = "define i32 @f(i32 %x) {\n  %a = and i32 %x, 61680\n  %b = and i32 %a, 4080\n  ret i32 %b\n}\n"
    assert "and i32 %x, 240" in _check(text, _propose(text, deadline=20), 1)


def test_narrow_argument_enters_zero_extended():
    text = (CORPUS.parent / "c" / "clz16_bsearch.c").read_text()
    from veriopt.bench.lowering import lower_c
    ir = lower_c(text)
    candidates = SuperoptAgent(deadline=30).propose(Task("clz16", "ir", ir))
    assert len(candidates) == 1
    code = candidates[0].code
    assert "llvm.ctlz.i32" in code and "zext i16" in code
    assert verify_ir(ir, code, "clz16", "clz16").status is Status.CORRECT


def test_nothing_cheaper_means_nothing_proposed():
    text = "define i32 @f(i32 %x, i32 %y) {\n  %a = add i32 %x, %y\n  ret i32 %a\n}\n"
    assert _propose(text, deadline=5) == []


def test_deadline_is_respected():
    text = (CORPUS / "avg_floor.ll").read_text()
    start = time.monotonic()
    _propose(text, deadline=2)
    assert time.monotonic() - start < 12


def test_examples_are_in_the_source_domain():
    text = "define i32 @f(i32 %x) {\n  %a = udiv i32 100, %x\n  ret i32 %a\n}\n"
    problem = Problem.of(load_text(text).functions["f"])
    examples = initial_examples(problem, 10)
    assert examples and all(ex["x"] != 0 for ex in examples)


def test_shift_out_of_range_is_poison():
    shl = evaluator("shl", 8, (8, 8))
    assert shl(1, 8) is None and shl(1, 7) == 128


def test_repair_takes_the_counterexample_as_example():
    agent = SuperoptAgent(deadline=5)
    text = (CORPUS / "mul7.ll").read_text()
    cex = Counterexample(inputs=[("%x", "#x00000005 (5)")])
    verdict = Verdict(Status.INCORRECT, error="Value mismatch", counterexample=cex)
    out = agent.repair(Task("f", "ir", text), None, verdict)
    assert agent.extra_examples == [{"x": 5}]
    assert all(verify_ir(text, c.code, "f", "f").status is Status.CORRECT for c in out)


def test_rotate_is_synthesised():
    text = (CORPUS / "rotl_var.ll").read_text()
    assert "llvm.fshl.i32(i32 %x, i32 %x, i32 %n)" in _check(text, _propose(text, deadline=20), 1)
