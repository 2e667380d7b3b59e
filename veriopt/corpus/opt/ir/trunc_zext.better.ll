; known better version of trunc_zext.ll
define i16 @f(i16 %x) {
  ret i16 %x
}
