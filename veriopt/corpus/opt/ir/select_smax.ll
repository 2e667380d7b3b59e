; select idiom is smax
define i32 @f(i32 %x, i32 %y) {
  %c = icmp sgt i32 %x, %y
  %r = select i1 %c, i32 %x, i32 %y
  ret i32 %r
}
