; double negation
define i32 @f(i32 %x) {
  %a = sub i32 0, %x
  %r = sub i32 0, %a
  ret i32 %r
}
