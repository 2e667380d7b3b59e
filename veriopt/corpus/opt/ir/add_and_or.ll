; (a&b)+(a|b) = a+b
define i32 @f(i32 %a, i32 %b) {
  %x = and i32 %a, %b
  %y = or i32 %a, %b
  %r = add i32 %x, %y
  ret i32 %r
}
