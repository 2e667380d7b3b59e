; double complement
define i8 @f(i8 %x) {
  %a = xor i8 %x, -1
  %r = xor i8 %a, -1
  ret i8 %r
}
