; constant reassociation across sub
define i64 @f(i64 %x) {
  %a = add i64 %x, 10
  %r = sub i64 %a, 3
  ret i64 %r
}
