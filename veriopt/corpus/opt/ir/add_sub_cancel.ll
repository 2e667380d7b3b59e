; (a-b)+b = a
define i32 @f(i32 %a, i32 %b) {
  %x = sub i32 %a, %b
  %r = add i32 %x, %b
  ret i32 %r
}
