; known better version of or_and_masks.ll
define i32 @f(i32 %x) {
  %r = and i32 %x, 255
  ret i32 %r
}
