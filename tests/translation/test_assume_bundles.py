"""Operand bundles of llvm.assume (translation/ir_smt/assume_bundles.py):
pairs whose verdict was first checked with alive-tv, pinned here."""
import pytest

from veriopt.verify.api import verify_ir

# name: (IR of @src and @tgt, alive-tv verdict)
PAIRS = {
    "align_offset": ("""\
declare void @llvm.assume(i1)
define i32 @src(ptr %p) {
  call void @llvm.assume(i1 true) [ "align"(ptr %p, i64 8, i64 4) ]
  %q = getelementptr i8, ptr %p, i64 -4
  %v = load i32, ptr %q, align 1
  ret i32 %v
}
define i32 @tgt(ptr %p) {
  call void @llvm.assume(i1 true) [ "align"(ptr %p, i64 8, i64 4) ]
  %q = getelementptr i8, ptr %p, i64 -4
  %v = load i32, ptr %q, align 8
  ret i32 %v
}
""", "correct"),
    "align_too_much": ("""\
declare void @llvm.assume(i1)
define i32 @src(ptr %p) {
  call void @llvm.assume(i1 true) [ "align"(ptr %p, i64 4) ]
  %v = load i32, ptr %p, align 1
  ret i32 %v
}
define i32 @tgt(ptr %p) {
  call void @llvm.assume(i1 true) [ "align"(ptr %p, i64 4) ]
  %v = load i32, ptr %p, align 8
  ret i32 %v
}
""", "incorrect"),
    "align_used": ("""\
declare void @llvm.assume(i1)
define i32 @src(ptr %p) {
  call void @llvm.assume(i1 true) [ "align"(ptr %p, i64 8) ]
  %v = load i32, ptr %p, align 1
  ret i32 %v
}
define i32 @tgt(ptr %p) {
  call void @llvm.assume(i1 true) [ "align"(ptr %p, i64 8) ]
  %v = load i32, ptr %p, align 8
  ret i32 %v
}
""", "correct"),
    "deref_short": ("""\
declare void @llvm.assume(i1)
define i32 @src(ptr %p, i1 %c) {
  call void @llvm.assume(i1 true) [ "dereferenceable"(ptr %p, i64 2) ]
  br i1 %c, label %a, label %b
a:
  %v = load i32, ptr %p, align 1
  ret i32 %v
b:
  ret i32 0
}
define i32 @tgt(ptr %p, i1 %c) {
  call void @llvm.assume(i1 true) [ "dereferenceable"(ptr %p, i64 2) ]
  %v = load i32, ptr %p, align 1
  %r = select i1 %c, i32 %v, i32 0
  ret i32 %r
}
""", "incorrect"),
    "deref_spec": ("""\
declare void @llvm.assume(i1)
define i32 @src(ptr %p, i1 %c) {
  call void @llvm.assume(i1 true) [ "dereferenceable"(ptr %p, i64 4) ]
  br i1 %c, label %a, label %b
a:
  %v = load i32, ptr %p, align 1
  ret i32 %v
b:
  ret i32 0
}
define i32 @tgt(ptr %p, i1 %c) {
  call void @llvm.assume(i1 true) [ "dereferenceable"(ptr %p, i64 4) ]
  %v = load i32, ptr %p, align 1
  %r = select i1 %c, i32 %v, i32 0
  ret i32 %r
}
""", "correct"),
    "nonnull_added": ("""\
declare void @llvm.assume(i1)
define void @src(ptr %p) {
  ret void
}
define void @tgt(ptr %p) {
  call void @llvm.assume(i1 true) [ "nonnull"(ptr %p) ]
  ret void
}
""", "incorrect"),
    "nonnull_used": ("""\
declare void @llvm.assume(i1)
define i1 @src(ptr %p) {
  call void @llvm.assume(i1 true) [ "nonnull"(ptr %p) ]
  %c = icmp eq ptr %p, null
  ret i1 %c
}
define i1 @tgt(ptr %p) {
  call void @llvm.assume(i1 true) [ "nonnull"(ptr %p) ]
  ret i1 false
}
""", "correct"),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_verdict_matches_alive_tv(name):
    text, verdict = PAIRS[name]
    assert verify_ir(text).status.value == verdict


def test_unknown_bundle_is_unsupported():
    text = PAIRS["nonnull_used"][0].replace('"nonnull"(ptr %p)', '"separate_storage"(ptr %p, ptr %p)')
    assert verify_ir(text).status.value == "unsupported"
