; known better version of icmp_add_const.ll
define i1 @f(i32 %x) {
  %r = icmp eq i32 %x, 7
  ret i1 %r
}
