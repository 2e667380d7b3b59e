; known better version of shl_lshr_mask.ll
define i32 @f(i32 %x) {
  %r = and i32 %x, 16777215
  ret i32 %r
}
