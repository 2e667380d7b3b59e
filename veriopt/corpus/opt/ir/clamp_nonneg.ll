; max(x, 0)
define i32 @f(i32 %x) {
  %c = icmp slt i32 %x, 0
  %r = select i1 %c, i32 0, i32 %x
  ret i32 %r
}
