; known better version of sdiv_exact4.ll
define i32 @f(i32 %x) {
  %r = ashr i32 %x, 2
  ret i32 %r
}
