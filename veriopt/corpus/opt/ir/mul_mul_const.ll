; (x*3)*5 = x*15 = (x<<4)-x
define i32 @f(i32 %x) {
  %a = mul i32 %x, 3
  %r = mul i32 %a, 5
  ret i32 %r
}
