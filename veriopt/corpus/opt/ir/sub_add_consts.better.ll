; known better version of sub_add_consts.ll
define i64 @f(i64 %x) {
  %r = add i64 %x, 7
  ret i64 %r
}
