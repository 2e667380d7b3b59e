"""C library functions modelled by what they compute
(translation/ir_smt/calls/libcalls.py): pairs whose verdict was first
checked with alive-tv, pinned here. A declaration with another signature
is an unknown function."""
import pytest

from veriopt.verify.api import verify_ir

# name: (IR of @src and @tgt, alive-tv verdict)
PAIRS = {
    "fabs_to_intrinsic": ("""\
declare double @fabs(double)
declare double @llvm.fabs.f64(double)
define double @src(double %x) {
  %v = call double @fabs(double %x)
  ret double %v
}
define double @tgt(double %x) {
  %v = call double @llvm.fabs.f64(double %x)
  ret double %v
}
""", "correct"),
    "ffs_cttz": ("""\
declare i32 @ffs(i32)
declare i32 @llvm.cttz.i32(i32, i1)
define i32 @src(i32 noundef %x) {
  %v = call i32 @ffs(i32 noundef %x)
  ret i32 %v
}
define i32 @tgt(i32 noundef %x) {
  %t = call i32 @llvm.cttz.i32(i32 %x, i1 false)
  %a = add i32 %t, 1
  %z = icmp eq i32 %x, 0
  %r = select i1 %z, i32 0, i32 %a
  ret i32 %r
}
""", "correct"),
    "ffs_no_zero_case": ("""\
declare i32 @ffs(i32)
declare i32 @llvm.cttz.i32(i32, i1)
define i32 @src(i32 %x) {
  %v = call i32 @ffs(i32 %x)
  ret i32 %v
}
define i32 @tgt(i32 %x) {
  %t = call i32 @llvm.cttz.i32(i32 %x, i1 false)
  %a = add i32 %t, 1
  ret i32 %a
}
""", "incorrect"),
    "ffsll_narrow": ("""\
declare i32 @ffsll(i64)
define i32 @src(i64 %x) {
  %v = call i32 @ffsll(i64 %x)
  ret i32 %v
}
define i32 @tgt(i64 %x) {
  %l = trunc i64 %x to i32
  %lo = icmp ne i32 %l, 0
  %v = call i32 @ffsll(i64 %x)
  ret i32 %v
}
""", "correct"),
    "wrong_signature": ("""\
declare i64 @ffs(i64)
define i64 @src(i64 %x) {
  ret i64 0
}
define i64 @tgt(i64 %x) {
  %v = call i64 @ffs(i64 0)
  ret i64 %v
}
""", "incorrect"),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_verdict_matches_alive_tv(name):
    text, verdict = PAIRS[name]
    assert verify_ir(text).status.value == verdict


def test_nobuiltin_call_is_an_unknown_function():
    text = PAIRS["ffs_cttz"][0].replace("@ffs(i32 noundef %x)", "@ffs(i32 noundef %x) nobuiltin")
    assert "nobuiltin" in text
    assert verify_ir(text).status.value == "incorrect"
