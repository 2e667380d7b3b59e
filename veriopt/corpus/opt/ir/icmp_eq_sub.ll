; a-b == 0 is a == b
define i1 @f(i32 %a, i32 %b) {
  %d = sub i32 %a, %b
  %r = icmp eq i32 %d, 0
  ret i1 %r
}
