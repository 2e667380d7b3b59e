; known better version of xor_and_or.ll
define i32 @f(i32 %a, i32 %b) {
  %r = xor i32 %a, %b
  ret i32 %r
}
