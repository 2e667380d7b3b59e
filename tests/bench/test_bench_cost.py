"""Static cost: weights per opcode, llvm-mca where installed."""
from __future__ import annotations

import pytest
from veriopt.bench.cost import LLC_TOOLS, MCA_TOOLS, _function_asm, _tool, static_cost


def _fn(body: str, params: str = "i32 %x, i32 %y") -> str:
    return f"define i32 @f({params}) {{\n{body}\n}}\n"


def test_weights_rank_division_over_multiply_over_add():
    div = static_cost(_fn("  %a = udiv i32 %x, %y\n  ret i32 %a"), "f", mca=False)
    mul = static_cost(_fn("  %a = mul i32 %x, %y\n  ret i32 %a"), "f", mca=False)
    add = static_cost(_fn("  %a = add i32 %x, %y\n  ret i32 %a"), "f", mca=False)
    assert div.weighted > mul.weighted > add.weighted == 1
    assert div.instructions == mul.instructions == add.instructions == 1


def test_ret_and_unconditional_branch_are_free():
    text = _fn("entry:\n  br label %next\nnext:\n  ret i32 %x")
    cost = static_cost(text, "f", mca=False)
    assert cost.weighted == 0 and cost.instructions == 1 and cost.mca_cycles is None


def test_missing_function():
    with pytest.raises(KeyError):
        static_cost(_fn("  ret i32 %x"), "g", mca=False)


@pytest.mark.skipif(not (_tool(LLC_TOOLS) and _tool(MCA_TOOLS)), reason="llc/llvm-mca not installed")
def test_mca_sees_division_as_slower():
    div = static_cost(_fn("  %a = udiv i32 %x, %y\n  ret i32 %a"), "f")
    add = static_cost(_fn("  %a = add i32 %x, %y\n  ret i32 %a"), "f")
    assert add.mca_cycles is not None and div.mca_cycles is not None
    assert div.mca_cycles > add.mca_cycles


def test_function_asm_keeps_only_instructions():
    asm = "\t.text\nf:                 # @f\n# %bb.0:\n\tleal\t(%rdi,%rdi,8), %eax # x\n\tretq\n.Lfunc_end0:\n\tnop\n"
    assert _function_asm(asm, "f") == "leal\t(%rdi,%rdi,8), %eax\nretq\n"
    assert _function_asm(asm, "g") == ""
