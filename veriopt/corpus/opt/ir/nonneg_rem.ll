; srem of a known non-negative value by 2^k is a mask
define i32 @f(i32 %x) {
  %a = and i32 %x, 2147483647
  %r = srem i32 %a, 8
  ret i32 %r
}
