; known better version of sign_mask.ll
define i32 @f(i32 %x) {
  %r = ashr i32 %x, 31
  ret i32 %r
}
