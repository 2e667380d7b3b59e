; multiply by -1 is negation
define i32 @f(i32 %x) {
  %r = mul i32 %x, -1
  ret i32 %r
}
