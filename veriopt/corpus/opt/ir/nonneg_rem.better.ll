; known better version of nonneg_rem.ll
define i32 @f(i32 %x) {
  %r = and i32 %x, 7
  ret i32 %r
}
