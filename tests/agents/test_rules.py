"""Every peephole rule proved at every width it claims by the real
verifier; wrong variants refuted; the agent rewrites real modules."""
from __future__ import annotations

import pytest
from veriopt.agents.base import Task
from veriopt.agents.rules import (
    RULES,
    WRONG_RULES,
    RulesAgent,
    constant_choices,
    instantiate,
)
from veriopt.bench.cost import static_cost
from veriopt.verify.api import verify_ir
from veriopt.verify.verdict import Status

CASES = [(r, w) for r in RULES for w in r.widths]


def _instances(rule, w):
    choices = constant_choices(rule, w) if rule.constants else [{}]
    assert choices, f"{rule.name}: no constants satisfy the precondition at i{w}"
    return [instantiate(rule, w, c) for c in choices]


@pytest.mark.parametrize("rule,width", CASES, ids=[f"{r.name}-i{w}" for r, w in CASES])
def test_rule_is_proved(rule, width):
    for src, tgt in _instances(rule, width):
        verdict = verify_ir(src, tgt, "f", "f")
        assert verdict.status is Status.CORRECT, verdict.render() + "\n" + src + tgt


@pytest.mark.parametrize("rule", WRONG_RULES, ids=[r.name for r in WRONG_RULES])
def test_wrong_rule_is_refuted(rule):
    refuted = [verify_ir(src, tgt, "f", "f").status is Status.INCORRECT
               for w in rule.widths for src, tgt in _instances(rule, w)]
    assert refuted and all(refuted)


def test_rule_names_are_unique():
    assert len({r.name for r in RULES}) == len(RULES)


def test_constant_choices_respect_precondition():
    rule = next(r for r in RULES if r.name == "mul_pow2_shl")
    for choice in constant_choices(rule, 16, limit=10):
        assert choice["C"] > 1 and choice["C"] & (choice["C"] - 1) == 0


SOURCE = """define i32 @f(i32 %x, i32 %y) {
  %a = mul i32 %x, 9
  %c = icmp ult i32 %a, %y
  %s = select i1 %c, i32 %a, i32 %y
  %r = urem i32 %s, 16
  %q = add i32 %r, 3
  %q2 = add i32 %q, 5
  ret i32 %q2
}
"""


def test_agent_rewrites_and_lowers_cost():
    candidates = RulesAgent().propose(Task("f", "ir", SOURCE))
    assert candidates and all(c.origin == "rules" for c in candidates)
    best = candidates[0]
    assert static_cost(best.code, "f", mca=False).weighted < static_cost(SOURCE, "f", mca=False).weighted
    assert "umin" in best.code and "urem" not in best.code and "mul " not in best.code
    assert verify_ir(SOURCE, best.code, "f", "f").status is Status.CORRECT


def test_agent_leaves_nothing_to_do_alone():
    text = "define i32 @f(i32 %x) {\n  %a = add i32 %x, 1\n  ret i32 %a\n}\n"
    assert RulesAgent().propose(Task("f", "ir", text)) == []
