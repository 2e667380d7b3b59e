; known better version of icmp_eq_sub.ll
define i1 @f(i32 %a, i32 %b) {
  %r = icmp eq i32 %a, %b
  ret i1 %r
}
