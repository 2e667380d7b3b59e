; known better version of neg_neg.ll
define i32 @f(i32 %x) {
  ret i32 %x
}
