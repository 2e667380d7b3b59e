; shift pair is a mask
define i32 @f(i32 %x) {
  %a = shl i32 %x, 8
  %r = lshr i32 %a, 8
  ret i32 %r
}
