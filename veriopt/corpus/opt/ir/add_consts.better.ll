; known better version of add_consts.ll
define i32 @f(i32 %x) {
  %r = add i32 %x, 8
  ret i32 %r
}
