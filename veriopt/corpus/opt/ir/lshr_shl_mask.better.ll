; known better version of lshr_shl_mask.ll
define i32 @f(i32 %x) {
  %r = and i32 %x, -16
  ret i32 %r
}
