; round trip through a wider type
define i16 @f(i16 %x) {
  %a = zext i16 %x to i32
  %r = trunc i32 %a to i16
  ret i16 %r
}
