; constant reassociation
define i32 @f(i32 %x) {
  %a = add i32 %x, 3
  %r = add i32 %a, 5
  ret i32 %r
}
