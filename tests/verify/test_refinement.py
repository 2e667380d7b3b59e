"""Known-correct and known-incorrect rewrites, one or more per error kind,
with the counterexample checked by hand where it is unique."""
import pytest
from veriopt.errors import BadInput
from veriopt.ir.loader import load_text
from veriopt.verify import verdict as V
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

from helpers import function


def verify(text: str, **opts) -> V.Verdict:
    return verify_ir(text, options=VerifyOptions(**opts))


def pair(src_body: str, tgt_body: str, sig: str = "i8 @{}(i8 %x)") -> str:
    ret = sig.split()[0]
    return (f"define {sig.format('src')} {{\n{src_body}\n}}\n"
            f"define {sig.format('tgt')} {{\n{tgt_body}\n}}\n").replace("RET", ret)


def test_proves_a_correct_rewrite():
    v = verify(pair("  %r = mul i8 %x, 8\n  ret i8 %r", "  %r = shl i8 %x, 3\n  ret i8 %r"))
    assert v.status is V.Status.CORRECT
    assert v.render() == "Transformation seems to be correct!"


def test_value_mismatch_with_a_hand_checkable_counterexample():
    # x + 1 versus x | 1 differ exactly when x is odd
    v = verify(pair("  %r = add i8 %x, 1\n  ret i8 %r", "  %r = or i8 %x, 1\n  ret i8 %r"))
    assert v.status is V.Status.INCORRECT and v.error == V.ERR_VALUE
    cex = v.counterexample
    x = int(cex.inputs[0][1].split()[0][2:], 16)
    assert x % 2 == 1
    assert cex.source_value.startswith(f"#x{(x + 1) % 256:02x}")
    assert cex.target_value.startswith(f"#x{x | 1:02x}")
    assert any(r.startswith("smt:") for r in cex.replayed)
    assert any(r.startswith("jit:") for r in cex.replayed)  # both sides ran in LLVM's JIT


def test_more_poisonous_target():
    v = verify(pair("  %r = udiv i8 %x, 8\n  ret i8 %r", "  %r = lshr exact i8 %x, 3\n  ret i8 %r"))
    assert v.error == V.ERR_POISON
    assert v.counterexample.target_value == "poison"


def test_source_more_defined():
    text = pair("  %r = and i8 %x, %y\n  ret i8 %r", "  %r = udiv i8 %x, %y\n  ret i8 %r",
                sig="i8 @{}(i8 %x, i8 %y)")
    v = verify(text)
    assert v.error == V.ERR_UB


def test_more_undefined_target():
    v = verify_ir("define i8 @src() {\n %v = freeze i8 undef\n ret i8 %v\n}\n"
                  "define i8 @tgt() {\n ret i8 undef\n}\n")
    assert v.error == V.ERR_UNDEF


def test_undef_can_be_refined_to_a_value_but_not_to_poison():
    ok = verify_ir("define i8 @src() {\n ret i8 undef\n}\ndefine i8 @tgt() {\n ret i8 7\n}\n")
    assert ok.status is V.Status.CORRECT
    bad = verify_ir("define i8 @src() {\n ret i8 undef\n}\ndefine i8 @tgt() {\n ret i8 poison\n}\n")
    assert bad.error == V.ERR_POISON


def test_each_use_of_undef_is_a_fresh_value():
    # xor undef, undef may be anything, so it cannot become 0's refinement... the
    # other way round: 0 refines it, but it does not refine 0.
    src = "define i8 @src() {\n %a = add i8 undef, 0\n %r = xor i8 %a, %a\n ret i8 %r\n}\n"
    assert verify_ir(src + "define i8 @tgt() {\n ret i8 0\n}\n").status is V.Status.CORRECT
    rev = ("define i8 @src() {\n ret i8 0\n}\n"
           "define i8 @tgt() {\n %a = add i8 undef, 0\n %r = xor i8 %a, %a\n ret i8 %r\n}\n")
    assert verify_ir(rev).status is V.Status.INCORRECT


def test_poison_arguments_are_considered_unless_disabled():
    text = pair("  %f = freeze i8 %x\n  ret i8 %f", "  ret i8 %x")
    assert verify(text).error == V.ERR_POISON
    # without poison, %x may still be undef: freeze fixed one value, %x does not
    assert verify(text, disable_poison_input=True).error == V.ERR_UNDEF
    assert verify(text, disable_poison_input=True,
                  disable_undef_input=True).status is V.Status.CORRECT


def test_noundef_argument_excludes_poison():
    text = ("define i8 @src(i8 noundef %x) {\n %f = freeze i8 %x\n ret i8 %f\n}\n"
            "define i8 @tgt(i8 noundef %x) {\n ret i8 %x\n}\n")
    assert verify_ir(text).status is V.Status.CORRECT


def test_branch_on_poison_is_ub_in_the_target():
    text = pair("  %c = icmp eq i8 %x, 0\n  %r = select i1 %c, i8 1, i8 2\n  ret i8 %r",
                "  %c = icmp eq i8 %x, 0\n  br i1 %c, label %a, label %b\na:\n  ret i8 1\nb:\n"
                "  ret i8 2")
    assert verify(text).error == V.ERR_UB
    assert verify(text, disable_poison_input=True, disable_undef_input=True).status \
        is V.Status.CORRECT


def test_branch_on_an_undef_argument_is_ub():
    text = ("define i8 @src(i1 %c) {\n %r = select i1 %c, i8 1, i8 2\n ret i8 %r\n}\n"
            "define i8 @tgt(i1 %c) {\n br i1 %c, label %a, label %b\na:\n ret i8 1\nb:\n"
            " ret i8 2\n}\n")
    v = verify(text, disable_poison_input=True)
    assert v.error == V.ERR_UB and v.counterexample.inputs == [("i1 %c", "undef")]
    assert verify(text, disable_poison_input=True, disable_undef_input=True).status \
        is V.Status.CORRECT


def test_branch_on_a_frozen_argument_is_defined():
    text = ("define i8 @src(i1 %c) {\n %f = freeze i1 %c\n %r = select i1 %f, i8 1, i8 2\n"
            " ret i8 %r\n}\n"
            "define i8 @tgt(i1 %c) {\n %f = freeze i1 %c\n br i1 %f, label %a, label %b\n"
            "a:\n ret i8 1\nb:\n ret i8 2\n}\n")
    assert verify_ir(text).status is V.Status.CORRECT


def test_noundef_call_result_makes_undef_ub():
    body = ("  %r = call {attr} i8 @llvm.umin.i8(i8 %x, i8 %x)\n  %m = and i8 %r, 3\n"
            "  ret i8 %m")
    src = f"define i8 @src(i8 %x) {{\n{body.format(attr='noundef')}\n}}\n"
    tgt = f"define noundef i8 @tgt(i8 %x) {{\n{body.format(attr='noundef')}\n}}\n"
    assert verify_ir(src + tgt).status is V.Status.CORRECT
    loose = f"define i8 @src(i8 %x) {{\n{body.format(attr='')}\n}}\n"
    assert verify_ir(loose + tgt).error == V.ERR_UB


def test_return_domain():
    """The source's trap stays; the target returns instead (alive-tv)."""
    text = ("define i8 @src(i8 %x) {\n call void @llvm.trap()\n ret i8 %x\n}\n"
            "define i8 @tgt(i8 %x) {\n ret i8 %x\n}\n"
            "declare void @llvm.trap()\n")
    assert verify_ir(text).error == V.ERR_RETURN_DOMAIN


def test_a_trap_the_source_does_not_have_is_ub():
    """alive-tv: "Source is more defined than target"."""
    text = ("define i8 @src(i8 %x) {\n ret i8 %x\n}\n"
            "define i8 @tgt(i8 %x) {\n call void @llvm.trap()\n ret i8 %x\n}\n"
            "declare void @llvm.trap()\n")
    assert verify_ir(text).error == V.ERR_UB


def test_vectors_are_checked_lane_by_lane():
    text = ("define <2 x i8> @src(<2 x i8> %x) {\n %r = add <2 x i8> %x, <i8 1, i8 2>\n"
            " ret <2 x i8> %r\n}\n"
            "define <2 x i8> @tgt(<2 x i8> %x) {\n %r = add <2 x i8> %x, <i8 1, i8 3>\n"
            " ret <2 x i8> %r\n}\n")
    v = verify_ir(text)
    assert v.error == V.ERR_VALUE
    assert v.counterexample.source_value.startswith("< ")


def test_unsupported_features_are_named_not_guessed():
    v = verify_ir("define x86_fp80 @src(x86_fp80 %x) {\n ret x86_fp80 %x\n}\n"
                  "define x86_fp80 @tgt(x86_fp80 %x) {\n ret x86_fp80 %x\n}\n")
    assert v.status is V.Status.UNSUPPORTED and "floating point" in v.reason
    v = verify_ir("define i8 @src(ptr %g, i8 %x) {\n %r = call i8 %g(i8 %x)\n ret i8 %r\n}\n"
                  "define i8 @tgt(ptr %g, i8 %x) {\n %r = call i8 %g(i8 %x)\n ret i8 %r\n}\n")
    assert v.status is V.Status.UNSUPPORTED and "indirect" in v.reason


def test_timeout_is_unknown_never_correct():
    # a 64-bit multiplication identity that needs real work, with no time to do it
    text = pair("  %a = mul i64 %x, %x\n  %b = mul i64 %a, %x\n  ret i64 %b",
                "  %a = mul i64 %x, %x\n  %b = mul i64 %x, %a\n  %c = udiv i64 %b, 3\n"
                "  %d = mul i64 %c, 3\n  %e = urem i64 %b, 3\n  %f = add i64 %d, %e\n  ret i64 %f",
                sig="i64 @{}(i64 %x)")
    v = verify(text, timeout=0.001, disable_poison_input=True, disable_undef_input=True)
    assert v.status in (V.Status.UNKNOWN, V.Status.CORRECT)
    if v.status is V.Status.UNKNOWN:
        assert v.exit_code == 3


def test_disallow_ub_exploitation():
    text = ("define i8 @src() {\n ret i8 poison\n}\ndefine i8 @tgt() {\n ret i8 0\n}\n")
    assert verify_ir(text).status is V.Status.CORRECT
    v = verify(text, disallow_ub_exploitation=True)
    assert v.error == V.ERR_SRC_POISON


# (source body, target body, alive-tv -disallow-ub-exploitation's answer), over (i8 %x, i8 %y)
NO_UB_EXPLOITATION = [
    ("%r = udiv i8 %x, %y\n ret i8 %r", "%r = udiv i8 %x, %y\n ret i8 %r", V.ERR_SRC_GUARDABLE_UB),
    ("%r = add nsw i8 %x, 1\n ret i8 %r", "%r = add i8 %x, 1\n ret i8 %r", V.ERR_SRC_POISON),
    ("ret i8 %x", "%d = udiv i8 %x, %y\n %z = mul i8 %d, 0\n %r = add i8 %z, %x\n ret i8 %r",
     V.ERR_TGT_GUARDABLE_UB),
    ("%r = udiv i8 %x, 0\n ret i8 %r", "ret i8 undef", V.ERR_SRC_GUARDABLE_UB),
    ("%r = add i8 %x, 1\n ret i8 %r", "%r = add nuw i8 %x, 1\n ret i8 %r", V.ERR_TGT_POISON),
    ("ret i8 %x", "%r = add i8 undef, 0\n ret i8 %r", V.ERR_TGT_UNDEF),
    ("%r = add i8 %x, 1\n ret i8 %r", "%r = add nuw i8 %x, 1\n %f = freeze i8 %r\n ret i8 %f",
     V.ERR_VALUE),
    ("%r = add i8 %x, %x\n ret i8 %r", "%r = shl i8 %x, 1\n ret i8 %r", None),  # inputs defined
]


@pytest.mark.parametrize("src,tgt,error", NO_UB_EXPLOITATION)
def test_no_ub_exploitation_follows_alive2(src, tgt, error):
    text = pair(f" {src}", f" {tgt}", sig="i8 @{}(i8 %x, i8 %y)")
    v = verify(text, disallow_ub_exploitation=True)
    assert v.error == error, v.render()
    assert v.status is (V.Status.CORRECT if error is None else V.Status.INCORRECT)
    if error is not None:   # every refutation comes with its example, as alive-tv's do
        assert v.counterexample is not None and "\nExample:\n" in v.render()


def test_source_poison_example_is_the_overflowing_input():
    text = pair(" %r = add nsw i8 %x, 1\n ret i8 %r", " %r = add i8 %x, 1\n ret i8 %r",
                sig="i8 @{}(i8 %x, i8 %y)")
    cex = verify(text, disallow_ub_exploitation=True).counterexample
    assert dict(cex.inputs)["i8 %x"].startswith("#x7f")   # 127 + 1 overflows
    assert cex.source_value == "poison" and cex.target_value.startswith("#x80")


@pytest.mark.parametrize("solver", ["z3", "bitwuzla", "portfolio"])
def test_every_solver_gives_the_same_verdicts(solver):
    text = pair("  %r = sdiv i8 %x, 4\n  ret i8 %r", "  %r = ashr i8 %x, 2\n  ret i8 %r")
    assert verify(text, solver=solver).error == V.ERR_VALUE
    text = pair("  %r = udiv i8 %x, 4\n  ret i8 %r", "  %r = lshr i8 %x, 2\n  ret i8 %r")
    assert verify(text, solver=solver).status is V.Status.CORRECT


def test_signature_mismatch_is_bad_input():
    text = ("define i8 @src(i8 %x) {\n ret i8 %x\n}\ndefine i16 @tgt(i8 %x) {\n"
            " %r = zext i8 %x to i16\n ret i16 %r\n}\n")
    with pytest.raises(BadInput, match="signature mismatch"):
        verify_ir(text)


def test_file_with_several_pairs_takes_the_worst_verdict():
    text = ("define i8 @src(i8 %x) {\n ret i8 %x\n}\ndefine i8 @tgt(i8 %x) {\n ret i8 %x\n}\n"
            "define i8 @src2(i8 %x) {\n ret i8 %x\n}\ndefine i8 @tgt2(i8 %x) {\n ret i8 0\n}\n")
    assert verify_ir(text).error == V.ERR_VALUE
    assert load_text(text).functions["src2"].name == "src2"
    assert function(text, "tgt2").ret_type.width == 8


def test_function_attributes_we_do_not_model_are_unsupported():
    text = ("define i8 @src(i8 %x) {\n ret i8 %x\n}\n"
            "define i8 @tgt(i8 %x) #0 {\n ret i8 %x\n}\nattributes #0 = { noreturn }\n")
    assert verify_ir(text).error == V.ERR_UB      # returning from noreturn is UB
    text = ("define i8 @src(i8 %x) {\n ret i8 %x\n}\n"
            "define i8 @tgt(i8 returned %x) {\n ret i8 %x\n}\n")
    v = verify_ir(text)
    assert v.status is V.Status.UNSUPPORTED and "returned" in v.reason


def test_bidirectional_reports_the_reverse_direction():
    text = pair("  ret i8 undef", "  ret i8 3")
    v = verify(text, bidirectional=True)
    assert v.status is V.Status.CORRECT and "reverse direction" in v.note
    text = pair("  %r = mul i8 %x, 4\n  ret i8 %r", "  %r = shl i8 %x, 2\n  ret i8 %r")
    v = verify(text, bidirectional=True)
    assert "equivalent" in v.note and "equivalent" in v.render()


def test_metadata_that_changes_meaning_is_unsupported_not_ignored():
    text = ("define i8 @src(i8 %x) {\n %r = call i8 @llvm.ctpop.i8(i8 %x)\n ret i8 %r\n}\n"
            "define i8 @tgt(i8 %x) {\n %r = call i8 @llvm.ctpop.i8(i8 %x), !range !0\n"
            " ret i8 %r\n}\n!0 = !{i8 0, i8 3}\n")
    v = verify_ir(text)
    assert v.status is V.Status.UNSUPPORTED and "!range" in v.reason


def test_a_trap_is_not_ub_even_before_unreachable():
    # llvm.trap stops the program; the `unreachable` after it never runs.
    # Reading that `unreachable` as UB made a moved trap "correct" (alive-tv:
    # "Source and target don't have the same return domain").
    body = ("  %bad = icmp eq i8 %x, {k}\n  br i1 %bad, label %stop, label %ok\n"
            "stop:\n  call void @llvm.trap()\n  unreachable\nok:\n  ret i8 %x\n")
    text = (f"define i8 @src(i8 %x) {{\n{body.format(k=5)}}}\n"
            f"define i8 @tgt(i8 %x) {{\n{body.format(k=6)}}}\n"
            "declare void @llvm.trap()\n")
    v = verify(text)
    assert v.status is V.Status.INCORRECT and v.error == V.ERR_RETURN_DOMAIN, v.render()
