; known better version of add_sub_cancel.ll
define i32 @f(i32 %a, i32 %b) {
  ret i32 %a
}
