; A rotate written with two shifts, as C code often spells it.
; LLVM -O3 keeps all four instructions. The rules agent proposes
; @llvm.fshl, which is more defined (the original is poison when %s is 0,
; since it then shifts by 32) and the verifier proves it refines it.
define i32 @rotl(i32 %x, i32 %s) {
  %w = sub i32 32, %s
  %l = shl i32 %x, %s
  %r = lshr i32 %x, %w
  %o = or i32 %l, %r
  ret i32 %o
}
