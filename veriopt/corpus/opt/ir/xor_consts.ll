; xor constants combine
define i16 @f(i16 %x) {
  %a = xor i16 %x, 255
  %r = xor i16 %a, 15
  ret i16 %r
}
