"""Pointers in memory (pointer bytes), `ptrtoint`, pointer equality by
address and `!nonnull`/`!noundef` on loads (docs/memory.md, byte.py,
addresses.py, pointer_bytes.py). Every verdict and error kind was first
checked with alive-tv (Alive2), the referee."""
import pytest

from veriopt.translation.ir_smt.memory import byte as B
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

# name: (IR of @src and @tgt, alive-tv verdict, alive-tv error)
PAIRS = {
    "store_ptr_load_ptr": ("""\
define ptr @src(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  %v = load ptr, ptr %p
  ret ptr %v
}
define ptr @tgt(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  ret ptr %q
}
""", "correct", None),
    "load_ptr_from_caller_is_not_null": ("""\
define ptr @src(ptr %p) {
  %v = load ptr, ptr %p
  ret ptr %v
}
define ptr @tgt(ptr %p) {
  %v = load ptr, ptr %p
  ret ptr null
}
""", "incorrect", 'Value mismatch'),
    "memcpy_keeps_pointer_bytes": ("""\
define void @src(ptr %a, ptr %b) {
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %a, ptr align 8 %b, i64 8, i1 false)
  ret void
}
define void @tgt(ptr %a, ptr %b) {
  %v = load i64, ptr %b, align 8
  store i64 %v, ptr %a, align 8
  ret void
}
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
""", "incorrect", 'Mismatch in memory'),
    "null_store_refined_by_zero_store": ("""\
define void @src(ptr %a) {
  store ptr null, ptr %a
  ret void
}
define void @tgt(ptr %a) {
  store i64 0, ptr %a
  ret void
}
""", "correct", None),
    "zero_store_refined_by_null_store": ("""\
define void @src(ptr %a) {
  store i64 0, ptr %a
  ret void
}
define void @tgt(ptr %a) {
  store ptr null, ptr %a, align 4
  ret void
}
""", "correct", None),
    "zero_bytes_load_as_null": ("""\
define ptr @src(ptr %a) {
  store i64 0, ptr %a
  %v = load ptr, ptr %a
  ret ptr %v
}
define ptr @tgt(ptr %a) {
  store i64 0, ptr %a
  ret ptr null
}
""", "correct", None),
    "nonzero_bytes_load_as_poison_pointer": ("""\
define ptr @src(ptr %a) {
  store i64 1, ptr %a
  %v = load ptr, ptr %a
  ret ptr %v
}
define ptr @tgt(ptr %a) {
  store i64 1, ptr %a
  ret ptr poison
}
""", "correct", None),
    "loaded_pointer_may_equal_argument": ("""\
define i1 @src(ptr %p) {
  %q = load ptr, ptr %p
  %c = icmp eq ptr %q, %p
  ret i1 %c
}
define i1 @tgt(ptr %p) {
  %q = load ptr, ptr %p
  ret i1 false
}
""", "incorrect", 'Value mismatch'),
    "loaded_pointer_may_alias_argument": ("""\
define i8 @src(ptr %p) {
  %q = load ptr, ptr %p
  store i8 1, ptr %p
  store i8 2, ptr %q
  %v = load i8, ptr %p
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  %q = load ptr, ptr %p
  store i8 1, ptr %p
  store i8 2, ptr %q
  ret i8 1
}
""", "incorrect", 'Value mismatch'),
    "overwritten_pointer_byte_loads_poison": ("""\
define ptr @src(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  store i8 0, ptr %p
  %v = load ptr, ptr %p
  ret ptr %v
}
define ptr @tgt(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  store i8 0, ptr %p
  ret ptr poison
}
""", "correct", None),
    "ptrtoint_store_is_not_pointer_store": ("""\
define void @src(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  ret void
}
define void @tgt(ptr %p, ptr %q) {
  %i = ptrtoint ptr %q to i64
  store i64 %i, ptr %p
  ret void
}
""", "incorrect", 'Mismatch in memory'),
    "restoring_loaded_pointer_refines": ("""\
define void @src(ptr %p) {
  %v = load ptr, ptr %p
  store ptr %v, ptr %p
  ret void
}
define void @tgt(ptr %p) {
  %v = load ptr, ptr %p
  ret void
}
""", "correct", None),
    "pointer_copy_via_i64_is_not_a_copy": ("""\
define void @src(ptr %p, ptr %q) {
  %v = load ptr, ptr %q
  store ptr %v, ptr %p
  ret void
}
define void @tgt(ptr %p, ptr %q) {
  %v = load i64, ptr %q
  store i64 %v, ptr %p
  ret void
}
""", "incorrect", 'Mismatch in memory'),
    "pointer_through_local_slot_aliases": ("""\
define i8 @src() {
  %a = alloca i8
  %s = alloca ptr
  store i8 3, ptr %a
  store ptr %a, ptr %s
  %b = load ptr, ptr %s
  store i8 4, ptr %b
  %v = load i8, ptr %a
  ret i8 %v
}
define i8 @tgt() {
  %a = alloca i8
  %s = alloca ptr
  store i8 3, ptr %a
  store ptr %a, ptr %s
  ret i8 3
}
""", "incorrect", 'Value mismatch'),
    "pointer_through_local_slot_store_forwarded": ("""\
define i8 @src() {
  %a = alloca i8
  %s = alloca ptr
  store i8 3, ptr %a
  store ptr %a, ptr %s
  %b = load ptr, ptr %s
  store i8 4, ptr %b
  %v = load i8, ptr %a
  ret i8 %v
}
define i8 @tgt() {
  %a = alloca i8
  ret i8 4
}
""", "correct", None),
    "int_load_of_pointer_bytes_is_poison": ("""\
define i64 @src(ptr %p) {
  %a = alloca i64
  store ptr %p, ptr %a
  %v = load i64, ptr %a
  ret i64 %v
}
define i64 @tgt(ptr %p) {
  ret i64 poison
}
""", "correct", None),
    "ptrtoint_of_alloca_same_on_both_sides": ("""\
define i64 @src() {
  %a = alloca i64, align 8
  %i = ptrtoint ptr %a to i64
  ret i64 %i
}
define i64 @tgt() {
  %a = alloca i64, align 8
  %i = ptrtoint ptr %a to i64
  ret i64 %i
}
""", "correct", None),
    "one_past_global_may_be_next_global": ("""\
@g1 = global i8 0
@g2 = global i8 0
define i1 @src() {
  %g = getelementptr inbounds i8, ptr @g1, i64 1
  %c = icmp eq ptr %g, @g2
  ret i1 %c
}
define i1 @tgt() {
  ret i1 false
}
""", "incorrect", 'Value mismatch'),
    "one_past_local_is_no_argument": ("""\
define i1 @src(ptr %b) {
  %a = alloca i8
  %g = getelementptr inbounds i8, ptr %a, i64 1
  %c = icmp eq ptr %g, %b
  ret i1 %c
}
define i1 @tgt(ptr %b) {
  ret i1 false
}
""", "correct", None),
    "eq_null_is_address_zero": ("""\
define i1 @src(ptr %x) {
  %y = load ptr, ptr %x
  %c = icmp eq ptr %y, null
  ret i1 %c
}
define i1 @tgt(ptr %x) {
  %y = load ptr, ptr %x
  %i = ptrtoint ptr %y to i64
  %c = icmp eq i64 %i, 0
  ret i1 %c
}
""", "correct", None),
    "nonnull_metadata_is_poison_not_ub": ("""\
define i8 @src(ptr %x) {
  %y = load ptr, ptr %x, align 1, !nonnull !{}
  ret i8 0
}
define i8 @tgt(ptr %x) {
  %y = load ptr, ptr %x, align 1
  %c = icmp ne ptr %y, null
  call void @llvm.assume(i1 %c)
  ret i8 0
}
declare void @llvm.assume(i1)
""", "incorrect", 'Source is more defined than target'),
    "nonnull_metadata_as_select": ("""\
define ptr @src(ptr %x) {
  %y = load ptr, ptr %x, align 1, !nonnull !{}
  ret ptr %y
}
define ptr @tgt(ptr %x) {
  %y = load ptr, ptr %x, align 1
  %c = icmp eq ptr %y, null
  %r = select i1 %c, ptr poison, ptr %y
  ret ptr %r
}
""", "correct", None),
    "noundef_metadata_poison_is_ub": ("""\
define i8 @src(ptr %x) {
  %y = load i8, ptr %x, align 1, !noundef !{}
  ret i8 0
}
define i8 @tgt(ptr %x) {
  %y = load i8, ptr %x, align 1
  %c = icmp eq i8 %y, 0
  br i1 %c, label %a, label %b
a:
  ret i8 0
b:
  ret i8 0
}
""", "correct", None),
    "nonnull_noundef_to_nonnull": ("""\
define ptr @src(ptr %x) {
  %y = load ptr, ptr %x, align 1, !nonnull !{}, !noundef !{}
  ret ptr %y
}
define ptr @tgt(ptr %x) {
  %y = load ptr, ptr %x, align 1, !nonnull !{}
  ret ptr %y
}
""", "correct", None),
    "target_allocas_may_be_adjacent": ("""\
define i1 @src() {
  %p = alloca [4 x i8], align 1
  %b = alloca i8, align 1
  ret i1 false
}
define i1 @tgt() {
  %p = alloca [4 x i8], align 1
  %b = alloca i8, align 1
  %e = getelementptr i8, ptr %p, i64 4
  %c = icmp eq ptr %e, %b
  ret i1 %c
}
""", "incorrect", 'Value mismatch'),
    "source_allocas_chosen_apart": ("""\
define i1 @src() {
  %p = alloca [4 x i8], align 1
  %b = alloca i8, align 1
  %e = getelementptr i8, ptr %p, i64 4
  %c = icmp eq ptr %e, %b
  ret i1 %c
}
define i1 @tgt() {
  %p = alloca [4 x i8], align 1
  %b = alloca i8, align 1
  ret i1 false
}
""", "correct", None),
    "eq_is_address_equality": ("""\
define i1 @src(ptr %x, ptr %z) {
  %y = load ptr, ptr %x
  %c = icmp eq ptr %y, %z
  ret i1 %c
}
define i1 @tgt(ptr %x, ptr %z) {
  %y = load ptr, ptr %x
  %i = ptrtoint ptr %y to i64
  %j = ptrtoint ptr %z to i64
  %c = icmp eq i64 %i, %j
  ret i1 %c
}
""", "correct", None),
    "function_with_alloca_returns_argument_pointer": ("""\
define ptr @src(ptr %p) {
  %a = alloca i8
  store i8 1, ptr %a
  %q = getelementptr inbounds i8, ptr %p, i64 1
  ret ptr %q
}
define ptr @tgt(ptr %p) {
  %q = getelementptr inbounds i8, ptr %p, i64 1
  ret ptr %q
}
""", "correct", None),
    "function_with_alloca_returns_other_pointer": ("""\
define ptr @src(ptr %p) {
  %a = alloca i8
  store i8 1, ptr %a
  %q = getelementptr inbounds i8, ptr %p, i64 1
  ret ptr %q
}
define ptr @tgt(ptr %p) {
  %q = getelementptr inbounds i8, ptr %p, i64 2
  ret ptr %q
}
""", "incorrect", 'Target is more poisonous than source'),
    "target_alloca_may_be_at_argument_address": ("""\
define i1 @src(ptr noundef %p) {
  %a = alloca i8
  ret i1 false
}
define i1 @tgt(ptr noundef %p) {
  %a = alloca i8
  %c = icmp eq ptr %a, %p
  ret i1 %c
}
""", "incorrect", 'Value mismatch'),
    "target_alloca_end_may_be_argument_address": ("""\
define i1 @src(ptr noundef %p) {
  %a = alloca i8
  %g = getelementptr i8, ptr %a, i64 1
  store i8 0, ptr %a
  ret i1 false
}
define i1 @tgt(ptr noundef %p) {
  %a = alloca i8
  %g = getelementptr i8, ptr %a, i64 1
  store i8 0, ptr %a
  %c = icmp eq ptr %g, %p
  ret i1 %c
}
""", "incorrect", 'Value mismatch'),
    "ptrmask_masks_the_address": ("""\
define i64 @src(ptr %p) {
  %q = call ptr @llvm.ptrmask.p0.i64(ptr %p, i64 -16)
  %i = ptrtoint ptr %q to i64
  ret i64 %i
}
define i64 @tgt(ptr %p) {
  %i = ptrtoint ptr %p to i64
  %j = and i64 %i, -16
  ret i64 %j
}
declare ptr @llvm.ptrmask.p0.i64(ptr, i64)
""", "correct", None),
    "ptrmask_of_aligned_pointer_is_it": ("""\
define i8 @src(ptr align 16 %p) {
  %q = call ptr @llvm.ptrmask.p0.i64(ptr %p, i64 -16)
  %v = load i8, ptr %q
  ret i8 %v
}
define i8 @tgt(ptr align 16 %p) {
  %v = load i8, ptr %p
  ret i8 %v
}
declare ptr @llvm.ptrmask.p0.i64(ptr, i64)
""", "correct", None),
    "ptrmask_may_leave_the_block": ("""\
define i8 @src(ptr %p) {
  %q = call ptr @llvm.ptrmask.p0.i64(ptr %p, i64 -16)
  %v = load i8, ptr %q
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}
declare ptr @llvm.ptrmask.p0.i64(ptr, i64)
""", "incorrect", 'Source is more defined than target'),
    "vla_of_2_63_bytes_is_ub": ("""\
define i8 @src(i64 noundef %n) {
  ret i8 0
}
define i8 @tgt(i64 noundef %n) {
  %a = alloca i8, i64 %n
  ret i8 0
}
""", "incorrect", 'Source is more defined than target'),
    "vla_of_small_count_is_defined": ("""\
define i8 @src(i64 noundef %n) {
  ret i8 0
}
define i8 @tgt(i64 noundef %n) {
  %c = icmp ult i64 %n, 100
  br i1 %c, label %a, label %b
a:
  %x = alloca i8, i64 %n
  ret i8 0
b:
  ret i8 0
}
""", "correct", None),
    "vla_size_counts_element_size": ("""\
define i8 @src(i64 noundef %n) {
  ret i8 0
}
define i8 @tgt(i64 noundef %n) {
  %c = icmp ult i64 %n, 4611686018427387904
  br i1 %c, label %a, label %b
a:
  %x = alloca i32, i64 %n
  ret i8 0
b:
  ret i8 0
}
""", "incorrect", 'Source is more defined than target'),
    "vla_count_is_zero_extended": ("""\
define i8 @src(i32 noundef %n) {
  ret i8 0
}
define i8 @tgt(i32 noundef %n) {
  %a = alloca i8, i32 %n
  ret i8 0
}
""", "correct", None),
    "vla_store_then_load": ("""\
define i8 @src(i64 %n) {
  %v = alloca i8, i64 %n
  %p = getelementptr inbounds i8, ptr %v, i64 1
  store i8 7, ptr %p
  %r = load i8, ptr %p
  ret i8 %r
}
define i8 @tgt(i64 %n) {
  %v = alloca i8, i64 %n
  %p = getelementptr inbounds i8, ptr %v, i64 1
  store i8 7, ptr %p
  ret i8 7
}
""", "correct", None),
    "vla_dead_store_removed": ("""\
define i8 @src(i64 %n) {
  %v = alloca i8, i64 %n
  %p = getelementptr inbounds i8, ptr %v, i64 1
  store i8 7, ptr %p
  ret i8 0
}
define i8 @tgt(i64 %n) {
  %v = alloca i8, i64 %n
  ret i8 0
}
""", "correct", None),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_agrees_with_alive_tv(name):
    text, verdict, error = PAIRS[name]
    v = verify_ir(text, options=VerifyOptions())
    assert v.status.value == verdict, v.render()
    assert v.error == error


def test_mismatch_shows_pointer_bytes_as_alive_tv():
    """alive-tv: `Source value: pointer(non-local, block_id=0, offset=8), byte
    offset=0` / `Target value: null, byte offset=0`."""
    v = verify_ir("""\
define void @src(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  ret void
}
define void @tgt(ptr %p, ptr %q) {
  store ptr null, ptr %p
  ret void
}
""", options=VerifyOptions())
    cex = v.counterexample
    assert v.error == "Mismatch in memory"
    assert cex.source_value.startswith("pointer(non-local") and ", byte offset=" in cex.source_value
    assert cex.target_value.startswith("null, byte offset=")


def test_caller_bytes_hold_pointers_only_when_pointers_are_loaded_or_stored():
    """alive-tv -disable-poison-input: an i8 read from the caller is never
    poison (memory__nonpoisoninit), unless either function loads or stores a
    pointer (then the byte may be a pointer's: poison as an integer)."""
    plain = """\
define i8 @src(ptr %p, ptr %q) {
  %v = load i8, ptr %p
  ret i8 0
}
define i8 @tgt(ptr %p, ptr %q) {
  %v = load i8, ptr %p
  %c = icmp eq i8 %v, 0
  br i1 %c, label %then, label %else
then:
  ret i8 0
else:
  ret i8 0
}
"""
    opts = VerifyOptions(disable_poison_input=True)
    assert verify_ir(plain, options=opts).status.value == "correct"
    with_ptr = plain.replace("%v = load i8, ptr %p\n", "%v = load i8, ptr %p\n  %w = load ptr, ptr %q\n")
    v = verify_ir(with_ptr, options=opts)
    assert (v.status.value, v.error) == ("incorrect", "Source is more defined than target")


def test_local_pointer_into_caller_memory_is_refused():
    """alive-tv says correct; the final memory would hold a dangling local
    pointer, whose refinement is not modelled."""
    v = verify_ir("""\
define i8 @src(ptr %p) {
  %a = alloca i8
  store i8 3, ptr %a
  store ptr %a, ptr %p
  %v = load i8, ptr %a
  ret i8 %v
}
define i8 @tgt(ptr %p) {
  %a = alloca i8
  store i8 3, ptr %a
  store ptr %a, ptr %p
  ret i8 3
}
""", options=VerifyOptions())
    assert v.status.value == "unsupported", v.render()


def test_byte_refinement_rules():
    """byte.refined on concrete bytes: null and 0 refine each other; a
    pointer byte and a non-zero integer byte do not; a poison source byte
    allows anything."""
    import z3
    null0 = B.ptr_byte(z3.BitVecVal(0, 72), z3.BoolVal(False), 0)
    zero = B.int_byte(z3.BitVecVal(8 << 16, 40))
    one = B.int_byte(z3.BitVecVal(8 << 16 | 1, 40))
    ptr = B.ptr_byte(z3.BitVecVal(1 << 64, 72), z3.BoolVal(False), 0)
    poison_ptr = B.ptr_byte(z3.BitVecVal(1 << 64, 72), z3.BoolVal(True), 0)

    def holds(c):
        return z3.is_true(z3.simplify(c))
    assert holds(B.refined(null0, zero)) and holds(B.refined(zero, null0))
    assert not holds(B.refined(ptr, one)) and not holds(B.refined(one, ptr))
    assert holds(B.refined(poison_ptr, one)) and holds(B.refined(ptr, ptr))
    assert not holds(B.refined(ptr, B.ptr_byte(z3.BitVecVal(1 << 64, 72), z3.BoolVal(False), 1)))


def test_returning_a_local_pointer_is_still_refused():
    v = verify_ir("""\
define ptr @src() {
  %p = alloca i64, align 4
  store i64 1, ptr %p, align 4
  ret ptr %p
}
define ptr @tgt() {
  %p = alloca i64, align 4
  ret ptr %p
}
""", options=VerifyOptions())
    assert v.status.value == "unsupported"


def test_vla_of_undef_count_is_ub():
    """alive-tv -disable-poison-input: `alloca i8, i8 %n` with %n undef is UB."""
    v = verify_ir("""\
define i8 @src(i8 %n) {
  ret i8 0
}
define i8 @tgt(i8 %n) {
  %a = alloca i8, i8 %n
  ret i8 0
}
""", options=VerifyOptions(disable_poison_input=True))
    assert (v.status.value, v.error) == ("incorrect", "Source is more defined than target")
