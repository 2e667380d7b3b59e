; swapped arms: umax
define i16 @f(i16 %x, i16 %y) {
  %c = icmp ult i16 %x, %y
  %r = select i1 %c, i16 %y, i16 %x
  ret i16 %r
}
