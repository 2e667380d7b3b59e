; select idiom is umin
define i32 @f(i32 %x, i32 %y) {
  %c = icmp ult i32 %x, %y
  %r = select i1 %c, i32 %x, i32 %y
  ret i32 %r
}
