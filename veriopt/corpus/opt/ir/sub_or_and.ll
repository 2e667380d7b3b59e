; (a|b)-(a&b) = a^b
define i32 @f(i32 %a, i32 %b) {
  %y = or i32 %a, %b
  %x = and i32 %a, %b
  %r = sub i32 %y, %x
  ret i32 %r
}
