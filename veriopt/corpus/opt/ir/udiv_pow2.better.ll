; known better version of udiv_pow2.ll
define i32 @f(i32 %x) {
  %r = lshr i32 %x, 4
  ret i32 %r
}
