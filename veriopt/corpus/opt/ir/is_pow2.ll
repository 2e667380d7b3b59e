; power-of-two test is ctpop == 1
define i1 @f(i32 %x) {
  %nz = icmp ne i32 %x, 0
  %m = add i32 %x, -1
  %a = and i32 %x, %m
  %z = icmp eq i32 %a, 0
  %r = and i1 %nz, %z
  ret i1 %r
}
