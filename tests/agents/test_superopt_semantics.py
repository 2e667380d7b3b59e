"""The synthesizer computes every component exactly as the verifier does.

Each component is emitted as IR (the text superopt proposes), parsed and
run by the verifier's own interpreter (translation/ir_smt, the registry);
superopt's fast concrete evaluator and its SMT encoding must give the same
value and the same poison on random and boundary inputs. A component whose
meaning in the search differed from the registry's would fail here.
"""
from __future__ import annotations

import random

import pytest
import z3
from veriopt.agents.rules import intrinsic_declarations
from veriopt.agents.superopt.components import BINARY, COMPARISONS, COMPONENTS, UNARY
from veriopt.agents.superopt.concrete import compile_term, evaluator
from veriopt.agents.superopt.emit import expression_lines
from veriopt.agents.superopt.semantics import smt_expr
from veriopt.ir.loader import load_text
from veriopt.translation.ir_smt.evaluate import ConcreteRunner

WIDTHS = (8, 32)


def _shape(name: str, w: int) -> tuple[tuple, dict[str, int], int]:
    """(expression applying the component to arguments, argument widths,
    result width)."""
    if name in BINARY:
        return (name, ("arg", "a"), ("arg", "b")), {"a": w, "b": w}, w
    if name in UNARY:
        return (name, ("arg", "a")), {"a": w}, w
    if name in COMPARISONS:
        pred = COMPONENTS[name].predicate
        return ("icmp", pred, ("arg", "a"), ("arg", "b")), {"a": w, "b": w}, 1
    if name == "zext":
        return ("zext", ("arg", "c")), {"c": 1}, w
    assert name == "select"
    return ("select", ("arg", "c"), ("arg", "a"), ("arg", "b")), {"c": 1, "a": w, "b": w}, w


def _emitted(e: tuple, arg_widths: dict[str, int], w: int, ret_w: int) -> ConcreteRunner:
    lines, result = expression_lines(e, w, arg_widths)
    params = ", ".join(f"i{aw} %{n}" for n, aw in arg_widths.items())
    body = "\n".join(f"  {line}" for line in lines)
    decls = "\n".join(intrinsic_declarations(lines))
    text = f"define i{ret_w} @f({params}) {{\n{body}\n  ret i{ret_w} {result}\n}}\n{decls}\n"
    return ConcreteRunner(load_text(text).functions["f"])


def _inputs(arg_widths: dict[str, int], rng: random.Random, count: int) -> list[list[int]]:
    def corner(aw: int) -> list[int]:
        m = (1 << aw) - 1
        return sorted({0, 1, m, 1 << (aw - 1), ((1 << (aw - 1)) - 1), (aw - 1) & m, aw & m,
                       (aw + 1) & m})
    out = []
    for i in range(count):
        row = []
        for aw in arg_widths.values():
            pool = corner(aw)
            row.append(pool[(i + len(row)) % len(pool)] if i < 2 * len(pool)
                       else rng.getrandbits(aw))
        out.append(row)
    return out


CASES = [(name, w) for name in COMPONENTS for w in WIDTHS]


@pytest.mark.parametrize("name,w", CASES, ids=[f"{n.replace(' ', '_')}-i{w}" for n, w in CASES])
def test_component_agrees_with_the_registry(name, w):
    e, arg_widths, ret_w = _shape(name, w)
    runner = _emitted(e, arg_widths, w, ret_w)
    run = evaluator(name, w, tuple(arg_widths.values()))
    env = {n: z3.BitVec(n, aw) for n, aw in arg_widths.items()}
    lane = smt_expr(e, env, w)
    rng = random.Random(hash((name, w)) & 0xffff)
    for values in _inputs(arg_widths, rng, 40):
        outcome = runner.run(values)
        assert not outcome.ub and outcome.returns
        expected = outcome.value[0]                  # None: poison
        assert run(*values) == expected, (name, w, values)
        pairs = [(env[n], z3.BitVecVal(v, aw)) for (n, aw), v in zip(arg_widths.items(), values)]
        poison = z3.is_true(z3.simplify(z3.substitute(lane.p, *pairs)))
        assert poison == (expected is None), (name, w, values)
        if not poison:
            assert z3.simplify(z3.substitute(lane.v, *pairs)).as_long() == expected


def test_narrow_argument_is_zero_extended_as_the_registry_does():
    e, arg_widths = ("zextarg", "a", 16), {"a": 16}
    runner = _emitted(e, arg_widths, 32, 32)
    run = evaluator("zext", 32, (16,))
    for v in (0, 1, 0x7fff, 0x8000, 0xffff):
        assert run(v) == runner.run([v]).value[0] == v


def test_shift_out_of_range_is_poison_in_both():
    shl = evaluator("shl", 8, (8, 8))
    assert shl(1, 8) is None and shl(1, 7) == 128


def test_unknown_operation_is_left_to_z3():
    a, b = z3.BitVec("a", 8), z3.BitVec("b", 8)
    with pytest.raises(NotImplementedError):
        compile_term(a / b, [a, b])          # bvsdiv: not compiled, evaluated by z3 instead
    node = compile_term(z3.If(z3.ULT(a, b), a - b, z3.Concat(z3.Extract(3, 0, a),
                                                              z3.Extract(7, 4, b))), [a, b])
    for x, y in ((3, 200), (200, 3), (0x12, 0x34), (255, 255)):
        want = z3.simplify(z3.substitute(
            z3.If(z3.ULT(a, b), a - b, z3.Concat(z3.Extract(3, 0, a), z3.Extract(7, 4, b))),
            (a, z3.BitVecVal(x, 8)), (b, z3.BitVecVal(y, 8)))).as_long()
        assert node((x, y)) == want
