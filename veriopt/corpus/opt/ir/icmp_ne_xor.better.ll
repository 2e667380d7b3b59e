; known better version of icmp_ne_xor.ll
define i1 @f(i32 %a, i32 %b) {
  %r = icmp ne i32 %a, %b
  ret i1 %r
}
