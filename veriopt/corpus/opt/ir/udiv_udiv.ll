; (x/3)/5 = x/15
define i32 @f(i32 %x) {
  %a = udiv i32 %x, 3
  %r = udiv i32 %a, 5
  ret i32 %r
}
