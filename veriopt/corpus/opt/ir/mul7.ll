; x*7 = (x<<3)-x
define i32 @f(i32 %x) {
  %r = mul i32 %x, 7
  ret i32 %r
}
