; exact signed division by 2^k
define i32 @f(i32 %x) {
  %r = sdiv exact i32 %x, 4
  ret i32 %r
}
