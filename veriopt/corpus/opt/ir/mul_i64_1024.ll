; i64 strength reduction
define i64 @f(i64 %x) {
  %r = mul i64 %x, 1024
  ret i64 %r
}
