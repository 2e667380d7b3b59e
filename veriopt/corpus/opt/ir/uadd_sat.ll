; saturating add idiom
define i32 @f(i32 %a, i32 %b) {
  %s = add i32 %a, %b
  %c = icmp ult i32 %s, %a
  %r = select i1 %c, i32 -1, i32 %s
  ret i32 %r
}
