; absorption
define i32 @f(i32 %x, i32 %y) {
  %o = or i32 %x, %y
  %r = and i32 %x, %o
  ret i32 %r
}
