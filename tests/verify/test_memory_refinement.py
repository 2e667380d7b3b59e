"""Refinement with memory: pairs whose verdict and error kind were first
checked with alive-tv (Alive2), the referee, and are pinned here. Each one
exercises one rule of docs/memory.md."""
import pytest

from veriopt.verify import verdict as V
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

# name: (IR of @src and @tgt, alive-tv verdict, alive-tv error)
PAIRS = {
    "named_struct_field": ("""\
%S = type { i32, i8 }
define i32 @src(ptr %p) {
  store %S { i32 1, i8 2 }, ptr %p
  %q = getelementptr %S, ptr %p, i64 0, i32 1
  %v = load i8, ptr %q
  %w = zext i8 %v to i32
  ret i32 %w
}
define i32 @tgt(ptr %p) {
  store %S { i32 1, i8 2 }, ptr %p
  ret i32 2
}
""", "correct", None),
    "named_struct_wrong_field": ("""\
%S = type { i32, i8 }
define i32 @src(ptr %p) {
  store %S { i32 1, i8 2 }, ptr %p
  %q = getelementptr %S, ptr %p, i64 0, i32 1
  %v = load i8, ptr %q
  %w = zext i8 %v to i32
  ret i32 %w
}
define i32 @tgt(ptr %p) {
  store %S { i32 1, i8 2 }, ptr %p
  ret i32 1
}
""", "incorrect", "Value mismatch"),
    "alias_swap": ("""\
define i8 @src(ptr %p, ptr %q) {
  store i8 1, ptr %p, align 1
  store i8 2, ptr %q, align 1
  %v = load i8, ptr %p, align 1
  ret i8 %v
}
define i8 @tgt(ptr %p, ptr %q) {
  store i8 2, ptr %q, align 1
  store i8 1, ptr %p, align 1
  ret i8 1
}
""", "incorrect", 'Value mismatch'),
    "arg_store_dropped": ("""\
define void @src(ptr %p) {
  store i8 1, ptr %p, align 1
  ret void
}
define void @tgt(ptr %p) {
  ret void
}
""", "incorrect", 'Mismatch in memory'),
    "forward": ("""\
define i32 @src(ptr %p, i32 %x) {
  store i32 %x, ptr %p, align 4
  %v = load i32, ptr %p, align 4
  ret i32 %v
}
define i32 @tgt(ptr %p, i32 %x) {
  store i32 %x, ptr %p, align 4
  ret i32 %x
}
""", "correct", None),
    "gep_inbounds_drop": ("""\
define ptr @src(ptr %p, i64 %i) {
  %q = getelementptr inbounds i32, ptr %p, i64 %i
  ret ptr %q
}
define ptr @tgt(ptr %p, i64 %i) {
  %q = getelementptr i32, ptr %p, i64 %i
  ret ptr %q
}
""", "correct", None),
    "gep_inbounds_overflow": ("""\
define ptr @src(ptr %p, i64 %i) {
  %q = getelementptr i8, ptr %p, i64 %i
  ret ptr %q
}
define ptr @tgt(ptr %p, i64 %i) {
  %q = getelementptr inbounds i8, ptr %p, i64 %i
  ret ptr %q
}
""", "incorrect", 'Target is more poisonous than source'),
    "load_hoist_phi": ("""\
define i8 @src(ptr %p, i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  store i8 3, ptr %p, align 1
  br label %j
b:
  br label %j
j:
  %v = load i8, ptr %p, align 1
  ret i8 %v
}
define i8 @tgt(ptr %p, i1 %c) {
entry:
  %old = load i8, ptr %p, align 1
  %v = select i1 %c, i8 3, i8 %old
  store i8 %v, ptr %p, align 1
  ret i8 %v
}
""", "incorrect", 'Source is more defined than target'),
    "local_store_dropped": ("""\
define i8 @src(i8 %x) {
  %p = alloca i8, align 1
  store i8 %x, ptr %p, align 1
  ret i8 %x
}
define i8 @tgt(i8 %x) {
  ret i8 %x
}
""", "correct", None),
    "null_load": ("""\
define i8 @src() {
  %v = load i8, ptr null, align 1
  ret i8 %v
}
define i8 @tgt() {
  unreachable
}
""", "correct", None),
    "oob_load_ub": ("""\
define i8 @src() {
  %p = alloca [2 x i8], align 1
  %q = getelementptr i8, ptr %p, i64 2
  %v = load i8, ptr %q, align 1
  ret i8 %v
}
define i8 @tgt() {
  ret i8 42
}
""", "correct", None),
    "select_ptr": ("""\
define i8 @src(i1 %c, i8 %x) {
  %a = alloca i8, align 1
  %b = alloca i8, align 1
  store i8 %x, ptr %a, align 1
  store i8 7, ptr %b, align 1
  %p = select i1 %c, ptr %a, ptr %b
  %v = load i8, ptr %p, align 1
  ret i8 %v
}
define i8 @tgt(i1 %c, i8 %x) {
  %v = select i1 %c, i8 %x, i8 7
  ret i8 %v
}
""", "correct", None),
    "spec_load": ("""\
define i8 @src(ptr %p, i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %v = load i8, ptr %p, align 1
  ret i8 %v
b:
  ret i8 0
}
define i8 @tgt(ptr %p, i1 %c) {
  %v = load i8, ptr %p, align 1
  %r = select i1 %c, i8 %v, i8 0
  ret i8 %r
}
""", "incorrect", 'Source is more defined than target'),
    "store_back": ("""\
define void @src(ptr %p) {
  %v = load i8, ptr %p, align 1
  ret void
}
define void @tgt(ptr %p) {
  %v = load i8, ptr %p, align 1
  store i8 %v, ptr %p, align 1
  ret void
}
""", "incorrect", 'Source is more defined than target'),
    "store_order_same": ("""\
define void @src(ptr %p, i16 %x) {
  store i8 1, ptr %p, align 1
  store i16 %x, ptr %p, align 1
  ret void
}
define void @tgt(ptr %p, i16 %x) {
  store i16 %x, ptr %p, align 1
  ret void
}
""", "correct", None),
    "store_widen": ("""\
define void @src(ptr %p) {
  store i8 1, ptr %p, align 2
  %q = getelementptr i8, ptr %p, i64 1
  store i8 2, ptr %q, align 1
  ret void
}
define void @tgt(ptr %p) {
  store i16 513, ptr %p, align 2
  ret void
}
""", "correct", None),
    "store_widen_wrong": ("""\
define void @src(ptr %p) {
  store i8 1, ptr %p, align 2
  %q = getelementptr i8, ptr %p, i64 1
  store i8 2, ptr %q, align 1
  ret void
}
define void @tgt(ptr %p) {
  store i16 258, ptr %p, align 2
  ret void
}
""", "incorrect", 'Mismatch in memory'),
    "undef_store": ("""\
define i8 @src(ptr %p) {
  store i8 undef, ptr %p, align 1
  %v = load i8, ptr %p, align 1
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  store i8 undef, ptr %p, align 1
  ret i8 0
}
""", "correct", None),
    "undef_store_twice": ("""\
define i8 @src(ptr %p) {
  store i8 undef, ptr %p, align 1
  ret i8 0
}
define i8 @tgt(ptr %p) {
  store i8 undef, ptr %p, align 1
  %v = load i8, ptr %p, align 1
  %w = load i8, ptr %p, align 1
  %r = sub i8 %v, %w
  ret i8 %r
}
""", "incorrect", "Target's return value is more undefined"),
    "vec_store": ("""\
define void @src(ptr %p, i8 %a, i8 %b) {
  store i8 %a, ptr %p, align 1
  %q = getelementptr inbounds i8, ptr %p, i64 1
  store i8 %b, ptr %q, align 1
  ret void
}
define void @tgt(ptr %p, i8 %a, i8 %b) {
  %v0 = insertelement <2 x i8> poison, i8 %a, i64 0
  %v1 = insertelement <2 x i8> %v0, i8 %b, i64 1
  store <2 x i8> %v1, ptr %p, align 1
  ret void
}
""", "correct", None),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_agrees_with_alive_tv(name):
    text, verdict, error = PAIRS[name]
    v = verify_ir(text, options=VerifyOptions())
    assert v.status.value == verdict, v.render()
    assert v.error == error


def test_memory_mismatch_names_the_block_offset_and_bytes():
    v = verify_ir(PAIRS["arg_store_dropped"][0], options=VerifyOptions())
    cex = v.counterexample
    assert cex.inputs == [("ptr %p", "pointer(non-local, block_id=1, offset=0)")]
    assert cex.memory == "Mismatch in pointer(non-local, block_id=1, offset=0)"
    assert cex.source_value == "#x01" and cex.target_value != "#x01"
    assert "Mismatch in pointer(non-local, block_id=1, offset=0)" in v.render()
    assert cex.to_json()["memory"] == cex.memory


def test_arguments_alias_unless_told_otherwise():
    """Two pointer arguments may point to the same byte: the example shows it."""
    v = verify_ir(PAIRS["alias_swap"][0], options=VerifyOptions())
    (_, p), (_, q) = v.counterexample.inputs
    assert p == q


def test_non_poison_initial_memory_with_disable_poison_input():
    """alive-tv -disable-poison-input: the caller's bytes are not poison either."""
    text = """define i8 @src(ptr %p) {
  %v = load i8, ptr %p
  ret i8 0
}
define i8 @tgt(ptr %p) {
  %v = load i8, ptr %p
  %c = icmp eq i8 %v, 0
  br i1 %c, label %a, label %b
a:
  ret i8 0
b:
  ret i8 0
}
"""
    assert verify_ir(text, options=VerifyOptions()).error == V.ERR_UB   # branch on poison
    assert verify_ir(text, options=VerifyOptions(disable_poison_input=True)).status \
        is V.Status.CORRECT


def test_index_that_may_be_undef_into_caller_memory_is_unsupported():
    """The initial bytes are tied by address (Ackermann); an address the
    source chooses under its ∀ would break that, so it is refused, never
    guessed (with --disable-undef-input the same pair is proved)."""
    text = """define i32 @src(ptr %p, i64 %i) {
  %q = getelementptr inbounds [4 x i32], ptr %p, i64 0, i64 %i
  %v = load i32, ptr %q, align 4
  ret i32 %v
}
define i32 @tgt(ptr %p, i64 %i) {
  %o = shl i64 %i, 2
  %q = getelementptr inbounds i8, ptr %p, i64 %o
  %v = load i32, ptr %q, align 4
  ret i32 %v
}
"""
    assert verify_ir(text, options=VerifyOptions()).status is V.Status.UNSUPPORTED
    assert verify_ir(text, options=VerifyOptions(disable_undef_input=True)).status \
        is V.Status.CORRECT


