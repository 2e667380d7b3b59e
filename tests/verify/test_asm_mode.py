"""--tgt-is-asm (verify/asm_mode.py): a proof for the target read as IR
(with the asm readings of pointer bytes as addresses) stands for the asm
target; a refutation becomes `unknown`; a sub-byte store in the target is
refused. Verdicts checked with `alive-tv -tgt-is-asm`."""
import pytest

from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

ASM = VerifyOptions(tgt_is_asm=True)

# name: (IR, alive-tv -tgt-is-asm verdict)
CORRECT = {
    "address_byte_of_aligned_loaded_pointer": """\
define i8 @src(ptr %p) {
  %q = load ptr, ptr %p
  %v = load i8, ptr %q, align 256
  ret i8 0
}
define i8 @tgt(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}
""",
    "pointer_store_as_its_address": """\
@dst = external global i64
define void @src(ptr %p) {
  store ptr @dst, ptr %p, align 8
  ret void
}
define void @tgt(ptr %p) {
  store i64 ptrtoint (ptr @dst to i64), ptr %p, align 8
  ret void
}
""",
    "integer_load_of_stored_pointer_is_its_address": """\
define i64 @src(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  %i = ptrtoint ptr %q to i64
  ret i64 %i
}
define i64 @tgt(ptr %p, ptr %q) {
  store ptr %q, ptr %p
  %v = load i64, ptr %p
  ret i64 %v
}
""",
    "caller_memory_reads_no_poison": """\
define i8 @src(ptr %p) {
  %v = load i8, ptr %p
  %f = freeze i8 %v
  ret i8 %f
}
define i8 @tgt(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}
""",
    "fresh_alloca_reads_zero": """\
define i8 @src(ptr %p) {
  %a = alloca i8
  %v = load i8, ptr %a
  %f = freeze i8 %v
  ret i8 %f
}
define i8 @tgt(ptr %p) {
  %a = alloca i8
  %v = load i8, ptr %a
  ret i8 %v
}
""",
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_proved_as_alive_tv_does(name):
    v = verify_ir(CORRECT[name], options=ASM)
    assert v.status.value == "correct", v.render()


def test_the_same_pairs_are_not_proved_as_ir():
    """Without --tgt-is-asm an integer load of a pointer is poison, and
    pointer bytes are not integer bytes (alive-tv agrees)."""
    for name in ("address_byte_of_aligned_loaded_pointer", "pointer_store_as_its_address",
                 "caller_memory_reads_no_poison", "fresh_alloca_reads_zero"):
        assert verify_ir(CORRECT[name], options=VerifyOptions()).status.value == "incorrect"


def test_refutation_is_not_reported():
    """alive-tv -tgt-is-asm: Mismatch in memory; the asm target may be more
    defined than the IR one in general, so this is `unknown`, never `incorrect`
    (nor `correct`)."""
    text = """\
@dst = external global i64
define void @src(ptr %p) {
  store ptr @dst, ptr %p, align 8
  ret void
}
define void @tgt(ptr %p) {
  %i = ptrtoint ptr @dst to i64
  %j = add i64 %i, 1
  store i64 %j, ptr %p, align 8
  ret void
}
"""
    v = verify_ir(text, options=ASM)
    assert v.status.value == "unknown" and "Mismatch in memory" in v.render()


def test_sub_byte_store_in_target_is_refused():
    """alive-tv -tgt-is-asm: a store of i4 is UB in asm (Source is more
    defined than target); refused here, as the IR reading is more defined."""
    text = """\
define void @src(ptr %p) {
  store i8 0, ptr %p
  ret void
}
define void @tgt(ptr %p) {
  store i4 0, ptr %p
  ret void
}
"""
    v = verify_ir(text, options=ASM)
    assert v.status.value == "unsupported", v.render()


def test_bidirectional_is_refused():
    v = verify_ir(CORRECT["pointer_store_as_its_address"],
                  options=VerifyOptions(tgt_is_asm=True, bidirectional=True))
    assert v.status.value == "unsupported"


def test_a_poison_result_of_the_asm_target_is_some_value():
    """Alive2: no poison in assembly. The target returns a maybe-poison
    argument where the source returns it frozen: more poisonous as IR,
    correct as asm (alive-tv agrees on both)."""
    text = """define i8 @src(i8 range(i8 0, 10) %x) {
  %f = freeze i8 %x
  ret i8 %f
}
define i8 @tgt(i8 range(i8 0, 10) %x) {
  ret i8 %x
}
"""
    assert verify_ir(text, options=VerifyOptions(tgt_is_asm=True)).status.value == "correct"
    assert verify_ir(text, options=VerifyOptions()).error == "Target is more poisonous than source"
