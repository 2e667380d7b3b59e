; known better version of and_consts.ll
define i32 @f(i32 %x) {
  %r = and i32 %x, 252
  ret i32 %r
}
