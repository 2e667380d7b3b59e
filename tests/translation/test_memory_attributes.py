"""Pointer attributes (nonnull, align, dereferenceable, captures, readonly,
on arguments and returns) and memory(...) effects: pairs whose verdict and
error kind were first checked with alive-tv, pinned here
(translation/ir_smt/memory/attributes.py)."""
import pytest

from veriopt.verify import verdict as V
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

# name: (IR of @src and @tgt, alive-tv verdict, alive-tv error)
ATTR_PAIRS = {
    "align_load": ("""\
define i32 @src(ptr align 4 %p) {
  %v = load i32, ptr %p, align 1
  ret i32 %v
}
define i32 @tgt(ptr align 4 %p) {
  %v = load i32, ptr %p, align 4
  ret i32 %v
}
""", "correct", None),
    "align_load2": ("""\
define i32 @src(ptr align 2 %p) {
  %v = load i32, ptr %p, align 1
  ret i32 %v
}
define i32 @tgt(ptr align 2 %p) {
  %v = load i32, ptr %p, align 4
  ret i32 %v
}
""", "incorrect", 'Source is more defined than target'),
    "deref_or_null": ("""\
define i8 @src(ptr dereferenceable_or_null(4) %p, i1 %c) {
entry:
  %n = icmp eq ptr %p, null
  br i1 %n, label %z, label %a
a:
  %q = getelementptr inbounds i8, ptr %p, i64 3
  %v = load i8, ptr %q, align 1
  ret i8 %v
z:
  ret i8 0
}
define i8 @tgt(ptr dereferenceable_or_null(4) %p, i1 %c) {
entry:
  %n = icmp eq ptr %p, null
  br i1 %n, label %z, label %a
a:
  %q = getelementptr inbounds i8, ptr %p, i64 3
  %v = load i8, ptr %q, align 1
  ret i8 %v
z:
  ret i8 1
}
""", "incorrect", 'Value mismatch'),
    "deref_spec": ("""\
define i8 @src(ptr dereferenceable(1) %p, i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %v = load i8, ptr %p, align 1
  ret i8 %v
b:
  ret i8 0
}
define i8 @tgt(ptr dereferenceable(1) %p, i1 %c) {
  %v = load i8, ptr %p, align 1
  %r = select i1 %c, i8 %v, i8 0
  ret i8 %r
}
""", "correct", None),
    "deref_spec2": ("""\
define i16 @src(ptr dereferenceable(1) %p, i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %v = load i16, ptr %p, align 1
  ret i16 %v
b:
  ret i16 0
}
define i16 @tgt(ptr dereferenceable(1) %p, i1 %c) {
  %v = load i16, ptr %p, align 1
  %r = select i1 %c, i16 %v, i16 0
  ret i16 %r
}
""", "incorrect", 'Source is more defined than target'),
    "nocapture_ok": ("""\
define void @src(ptr nocapture %p, i8 %x) {
  store i8 %x, ptr %p
  store i8 %x, ptr %p
  ret void
}
define void @tgt(ptr nocapture %p, i8 %x) {
  store i8 %x, ptr %p
  ret void
}
""", "correct", None),
    "nonnull_cmp": ("""\
define i1 @src(ptr nonnull %p) {
  %c = icmp eq ptr %p, null
  ret i1 %c
}
define i1 @tgt(ptr nonnull %p) {
  ret i1 false
}
""", "correct", None),
    "nonnull_cmp2": ("""\
define i1 @src(ptr %p) {
  %c = icmp eq ptr %p, null
  ret i1 %c
}
define i1 @tgt(ptr %p) {
  ret i1 false
}
""", "incorrect", 'Value mismatch'),
    "nonnull_noundef": ("""\
define i8 @src(ptr nonnull noundef %p) {
  ret i8 0
}
define i8 @tgt(ptr nonnull noundef %p) {
  %c = icmp eq ptr %p, null
  %r = select i1 %c, i8 1, i8 0
  ret i8 %r
}
""", "correct", None),
    "readonly_arg": ("""\
define i8 @src(ptr readonly %p) {
  %a = load i8, ptr %p
  %b = load i8, ptr %p
  %r = add i8 %a, %b
  ret i8 %r
}
define i8 @tgt(ptr readonly %p) {
  %a = load i8, ptr %p
  %r = shl i8 %a, 1
  ret i8 %r
}
""", "correct", None),
    "ret_deref": ("""\
define dereferenceable(4) ptr @src(ptr %p) {
  ret ptr %p
}
define dereferenceable(4) ptr @tgt(ptr %p) {
  ret ptr null
}
""", "incorrect", 'Source is more defined than target'),
    "ret_deref2": ("""\
define ptr @src(ptr %p) {
  ret ptr %p
}
define dereferenceable(4) ptr @tgt(ptr %p) {
  ret ptr %p
}
""", "incorrect", 'Source is more defined than target'),
    "ret_nonnull": ("""\
define nonnull ptr @src(ptr %p) {
  ret ptr %p
}
define nonnull ptr @tgt(ptr %p) {
  ret ptr poison
}
""", "incorrect", 'Target is more poisonous than source'),
    "ret_nonnull2": ("""\
define ptr @src(ptr %p) {
  ret ptr %p
}
define nonnull ptr @tgt(ptr %p) {
  ret ptr %p
}
""", "incorrect", 'Target is more poisonous than source'),
    "memargread": ("""\
define i8 @src(ptr %p) memory(read, argmem: none) {
  %v = load i8, ptr %p
  ret i8 %v
}
define i8 @tgt(ptr %p) memory(read, argmem: none) {
  ret i8 1
}
""", "correct", None),
    "memnone_load": ("""\
define i8 @src(ptr %p) memory(none) {
  %v = load i8, ptr %p
  ret i8 %v
}
define i8 @tgt(ptr %p) memory(none) {
  ret i8 0
}
""", "correct", None),
    "memnone_local": ("""\
define i8 @src(i8 %x) memory(none) {
  %p = alloca i8
  store i8 %x, ptr %p
  %v = load i8, ptr %p
  ret i8 %v
}
define i8 @tgt(i8 %x) memory(none) {
  ret i8 0
}
""", "incorrect", 'Value mismatch'),
    "memread_store": ("""\
define void @src(ptr %p) memory(read) {
  store i8 0, ptr %p
  ret void
}
define void @tgt(ptr %p) memory(read) {
  ret void
}
""", "correct", None),
    "memtgt_store": ("""\
define void @src(ptr %p) {
  %v = load i8, ptr %p
  store i8 %v, ptr %p
  ret void
}
define void @tgt(ptr %p) memory(read) {
  ret void
}
""", "correct", None),
}


@pytest.mark.parametrize("name", sorted(ATTR_PAIRS))
def test_attributes_agree_with_alive_tv(name):
    text, verdict, error = ATTR_PAIRS[name]
    v = verify_ir(text, options=VerifyOptions())
    assert v.status.value == verdict, v.render()
    assert v.error == error


def test_storing_nothing_is_not_an_access():
    text = """define void @src(ptr noundef %p) {
  ret void
}
define void @tgt(ptr noundef %p) {
  store {} {}, ptr %p
  ret void
}
"""
    assert verify_ir(text, options=VerifyOptions()).status is V.Status.CORRECT


def test_struct_layout_follows_the_datalayout():
    """LLVM's default datalayout aligns i64 to 4 bytes; `i64:64` to 8."""
    body = """define i1 @src() {
  %a = alloca {i8, i64}, align 8
  %f = getelementptr {i8, i64}, ptr %a, i64 0, i32 1
  %g = getelementptr i8, ptr %a, i64 4
  %c = icmp eq ptr %f, %g
  ret i1 %c
}
define i1 @tgt() {
  ret i1 true
}
"""
    assert verify_ir(body, options=VerifyOptions()).status is V.Status.CORRECT
    v = verify_ir('target datalayout = "e-i64:64"\n' + body, options=VerifyOptions())
    assert v.status is V.Status.INCORRECT


def test_noalias_is_unsupported_as_in_alive_tv():
    text = """define i8 @src(ptr noalias %p) {
  ret i8 0
}
define i8 @tgt(ptr noalias %p) {
  ret i8 0
}
"""
    v = verify_ir(text, options=VerifyOptions())
    assert v.status is V.Status.UNSUPPORTED and "noalias" in v.reason



def test_promises_are_about_pointers_based_on_the_argument():
    """`readonly %p` forbids stores through pointers based on %p, not
    through an aliasing %q; comparing a `nocapture` pointer is no capture
    (both as alive-tv)."""
    v = verify_ir("""\
define i8 @src(ptr readonly %p, ptr %q) {
  store i8 1, ptr %q
  %v = load i8, ptr %p
  ret i8 %v
}
define i8 @tgt(ptr readonly %p, ptr %q) {
  %v = load i8, ptr %p
  store i8 1, ptr %q
  ret i8 %v
}
""", options=VerifyOptions())
    assert v.error == V.ERR_POISON
    v = verify_ir("""\
define i1 @src(ptr nocapture %p) {
  %g = getelementptr inbounds i8, ptr %p, i64 1
  %c = icmp eq ptr %g, %p
  ret i1 %c
}
define i1 @tgt(ptr nocapture %p) {
  ret i1 false
}
""", options=VerifyOptions())
    assert v.status is V.Status.CORRECT
