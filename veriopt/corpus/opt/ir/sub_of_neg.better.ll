; known better version of sub_of_neg.ll
define i32 @f(i32 %x, i32 %y) {
  %r = add i32 %x, %y
  ret i32 %r
}
