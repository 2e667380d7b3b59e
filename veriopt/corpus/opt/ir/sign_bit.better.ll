; known better version of sign_bit.ll
define i32 @f(i32 %x) {
  %r = lshr i32 %x, 31
  ret i32 %r
}
