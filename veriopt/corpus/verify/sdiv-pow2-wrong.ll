; signed division rounds toward zero; ashr rounds toward minus infinity
define i32 @src(i32 %x) {
  %r = sdiv i32 %x, 4
  ret i32 %r
}

define i32 @tgt(i32 %x) {
  %r = ashr i32 %x, 2
  ret i32 %r
}
; ERROR: Value mismatch
