; x-(-y) = x+y
define i32 @f(i32 %x, i32 %y) {
  %n = sub i32 0, %y
  %r = sub i32 %x, %n
  ret i32 %r
}
