; floor average without widening (cost equal: a known-hard case)
define i32 @f(i32 %a, i32 %b) {
  %za = zext i32 %a to i64
  %zb = zext i32 %b to i64
  %s = add i64 %za, %zb
  %h = lshr i64 %s, 1
  %r = trunc i64 %h to i32
  ret i32 %r
}
