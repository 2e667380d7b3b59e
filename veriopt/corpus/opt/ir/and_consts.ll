; and constants combine
define i32 @f(i32 %x) {
  %a = and i32 %x, 1020
  %r = and i32 %a, 255
  ret i32 %r
}
