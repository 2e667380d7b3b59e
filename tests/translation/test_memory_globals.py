"""Globals (constant and not), `memset`/`memcpy`/`memmove`, `tail` calls
and pointer comparisons by address: pairs whose verdict and error kind were
first checked with alive-tv, pinned here (translation/ir_smt/memory/
globals.py, intrinsics.py, instructions.py)."""
import pytest

from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

# name: (IR of @src and @tgt, alive-tv verdict, alive-tv error)
PAIRS = {
    "arg_aliases_global": ("""\
@g = global i8 0
define i8 @src(ptr %p) {
  store i8 1, ptr @g
  store i8 2, ptr %p
  %v = load i8, ptr @g
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  store i8 1, ptr @g
  store i8 2, ptr %p
  ret i8 1
}
""", "incorrect", 'Value mismatch'),
    "choice_picks_byte": ("""\
@a = global i16 0
@b = global i16 0
define void @src(i16 %x) {
  %c = freeze i1 poison
  br i1 %c, label %L, label %R
L:
  store i16 7, ptr @a
  ret void
R:
  store i16 7, ptr @b
  ret void
}
define void @tgt(i16 %x) {
  ret void
}
""", "incorrect", 'Mismatch in memory'),
    "const_store_ub": ("""\
@c = constant i8 3
define void @src() {
  store i8 4, ptr @c
  ret void
}
define void @tgt() {
  unreachable
}
""", "correct", None),
    "float_store": ("""\
define float @src(ptr %p, float %x) {
  store float %x, ptr %p
  %v = load float, ptr %p
  ret float %v
}
define float @tgt(ptr %p, float %x) {
  store float %x, ptr %p
  ret float %x
}
""", "correct", None),
    "global_value_unknown": ("""\
@g = global i8 5
define i8 @src() {
  %v = load i8, ptr @g
  ret i8 %v
}
define i8 @tgt() {
  ret i8 5
}
""", "incorrect", 'Value mismatch'),
    "constant_value_known": ("""\
@g = constant i8 5
define i8 @src() {
  %v = load i8, ptr @g
  ret i8 %v
}
define i8 @tgt() {
  ret i8 5
}
""", "correct", None),
    "global_and_argument": ("""\
@g = global i8 5
define i8 @src(ptr %p) {
  store i8 1, ptr @g
  store i8 2, ptr %p
  %v = load i8, ptr @g
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  store i8 1, ptr @g
  store i8 2, ptr %p
  ret i8 1
}
""", "incorrect", 'Value mismatch'),
    "string_constant_indexed": ("""\
@g = constant [4 x i8] c"abc\\00"
define i8 @src(i64 %i) {
  %q = getelementptr inbounds [4 x i8], ptr @g, i64 0, i64 %i
  %v = load i8, ptr %q
  ret i8 %v
}
define i8 @tgt(i64 %i) {
  %c = icmp eq i64 %i, 3
  %w = trunc i64 %i to i8
  %x = add i8 %w, 97
  %r = select i1 %c, i8 0, i8 %x
  ret i8 %r
}
""", "correct", None),
    "global_store_dropped": ("""\
@g = global i8 0
define void @src() {
  store i8 1, ptr @g
  ret void
}
define void @tgt() {
  ret void
}
""", "incorrect", 'Mismatch in memory'),
    "constant_gep_expression": ("""\
@g = constant i32 7
define i8 @src() {
  %v = load i8, ptr getelementptr inbounds (i8, ptr @g, i64 1)
  ret i8 %v
}
define i8 @tgt() {
  ret i8 0
}
""", "correct", None),
    "memset_then_load": ("""\
define i32 @src(ptr %p) {
  call void @llvm.memset.p0.i64(ptr align 4 %p, i8 1, i64 4, i1 false)
  %v = load i32, ptr %p
  ret i32 %v
}
define i32 @tgt(ptr %p) {
  call void @llvm.memset.p0.i64(ptr align 4 %p, i8 1, i64 4, i1 false)
  ret i32 16843009
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
""", "correct", None),
    "memcpy_vs_integer_copy": ("""\
define void @src(ptr %p, ptr %q) {
  call void @llvm.memcpy.p0.p0.i64(ptr %p, ptr %q, i64 2, i1 false)
  ret void
}
define void @tgt(ptr %p, ptr %q) {
  %v = load i16, ptr %q, align 1
  store i16 %v, ptr %p, align 1
  ret void
}
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
""", "incorrect", 'Mismatch in memory'),
    "memmove_to_memcpy": ("""\
define void @src(ptr %p, ptr %q) {
  call void @llvm.memmove.p0.p0.i64(ptr %p, ptr %q, i64 2, i1 false)
  ret void
}
define void @tgt(ptr %p, ptr %q) {
  call void @llvm.memcpy.p0.p0.i64(ptr %p, ptr %q, i64 2, i1 false)
  ret void
}
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
""", "incorrect", 'Source is more defined than target'),
    "memset_as_store": ("""\
define void @src(ptr %p) {
  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 2, i1 false)
  ret void
}
define void @tgt(ptr %p) {
  store i16 0, ptr %p, align 1
  ret void
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
""", "correct", None),
    "memset_local": ("""\
define i8 @src(ptr %p) {
  %a = alloca [4 x i8], align 1
  call void @llvm.memset.p0.i64(ptr %a, i8 7, i64 4, i1 false)
  %q = getelementptr i8, ptr %a, i64 2
  %v = load i8, ptr %q
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  ret i8 7
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
""", "correct", None),
    "memset_zero_bytes": ("""\
define void @src(ptr %p) {
  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 0, i1 false)
  ret void
}
define void @tgt(ptr %p) {
  ret void
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
""", "correct", None),
    "memmove_local": ("""\
define i32 @src(i32 noundef %x) {
  %a = alloca i32
  %b = alloca i32
  store i32 %x, ptr %a
  call void @llvm.memmove.p0.p0.i64(ptr %b, ptr %a, i64 4, i1 false)
  %v = load i32, ptr %b
  ret i32 %v
}
define i32 @tgt(i32 noundef %x) {
  ret i32 0
}
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
""", "incorrect", 'Value mismatch'),
    "ptrcmp_inbounds": ("""\
@arr = global [2 x i32] zeroinitializer
define i1 @src(i64 %i) {
  %p = getelementptr inbounds i32, ptr @arr, i64 %i
  %c = icmp ne ptr %p, null
  ret i1 %c
}
define i1 @tgt(i64 %i) {
  ret i1 true
}
""", "correct", None),
    "ptrcmp_wrap": ("""\
@arr = global [2 x i32] zeroinitializer
define i1 @src(i64 %i) {
  %p = getelementptr i32, ptr @arr, i64 %i
  %c = icmp ne ptr %p, null
  ret i1 %c
}
define i1 @tgt(i64 %i) {
  ret i1 true
}
""", "incorrect", 'Value mismatch'),
    "tail_memmove_local": ("""\
define i32 @src(i32 noundef %x) {
  %a = alloca i32
  %b = alloca i32
  store i32 %x, ptr %a
  tail call void @llvm.memmove.p0.p0.i64(ptr %b, ptr %a, i64 4, i1 false)
  %v = load i32, ptr %b
  ret i32 %v
}
define i32 @tgt(i32 noundef %x) {
  ret i32 0
}
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
""", "correct", None),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_agrees_with_alive_tv(name):
    text, verdict, error = PAIRS[name]
    v = verify_ir(text, options=VerifyOptions())
    assert v.status.value == verdict, v.render()
    assert v.error == error


def test_the_differing_byte_may_depend_on_the_source_choice():
    """Whichever way the source goes, one global differs: the byte is
    chosen after the source's choice, and the example names one."""
    v = verify_ir(PAIRS["choice_picks_byte"][0], options=VerifyOptions())
    assert v.counterexample.memory.startswith("Mismatch in pointer(non-local, block_id=")



def test_memcpy_ranges_may_be_equal_but_not_overlap():
    """LangRef: memcpy's source and destination are equal or disjoint; a
    partial overlap is UB (found by comparing with alive-tv on random pairs)."""
    v = verify_ir("""\
define void @src(ptr %p) {
  call void @llvm.memcpy.p0.p0.i64(ptr %p, ptr %p, i64 2, i1 false)
  ret void
}
define void @tgt(ptr %p) {
  unreachable
}
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
""", options=VerifyOptions())
    assert v.error == "Source is more defined than target"
    v = verify_ir("""\
define void @src(ptr %p) {
  %q = getelementptr i8, ptr %p, i64 1
  call void @llvm.memcpy.p0.p0.i64(ptr %q, ptr %p, i64 2, i1 false)
  ret void
}
define void @tgt(ptr %p) {
  unreachable
}
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
""", options=VerifyOptions())
    assert v.status.value == "correct"
