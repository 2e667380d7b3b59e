; known better version of udiv_udiv.ll
define i32 @f(i32 %x) {
  %r = udiv i32 %x, 15
  ret i32 %r
}
