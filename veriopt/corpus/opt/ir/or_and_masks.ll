; two masks merge
define i32 @f(i32 %x) {
  %a = and i32 %x, 240
  %b = and i32 %x, 15
  %r = or i32 %a, %b
  ret i32 %r
}
