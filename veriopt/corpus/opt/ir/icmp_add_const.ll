; x+5 == 12 is x == 7
define i1 @f(i32 %x) {
  %a = add i32 %x, 5
  %r = icmp eq i32 %a, 12
  ret i1 %r
}
