; known better version of udiv_i8_pow2.ll
define i8 @f(i8 %x) {
  %r = lshr i8 %x, 2
  ret i8 %r
}
