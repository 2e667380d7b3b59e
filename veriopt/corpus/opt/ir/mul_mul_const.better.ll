; known better version of mul_mul_const.ll
define i32 @f(i32 %x) {
  %s = shl i32 %x, 4
  %r = sub i32 %s, %x
  ret i32 %r
}
