; x<0 ? -1 : 0 is an arithmetic shift
define i32 @f(i32 %x) {
  %c = icmp slt i32 %x, 0
  %r = select i1 %c, i32 -1, i32 0
  ret i32 %r
}
