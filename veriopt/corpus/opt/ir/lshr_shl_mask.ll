; shift pair clears low bits
define i32 @f(i32 %x) {
  %a = lshr i32 %x, 4
  %r = shl i32 %a, 4
  ret i32 %r
}
