; i8 unsigned division by 4
define i8 @f(i8 %x) {
  %r = udiv i8 %x, 4
  ret i8 %r
}
