; unsigned division by 2^k
define i32 @f(i32 %x) {
  %r = udiv i32 %x, 16
  ret i32 %r
}
