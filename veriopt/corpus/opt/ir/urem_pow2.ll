; unsigned remainder by 2^k is a mask
define i32 @f(i32 %x) {
  %r = urem i32 %x, 32
  ret i32 %r
}
