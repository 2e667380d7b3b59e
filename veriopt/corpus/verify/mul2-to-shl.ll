; x * 2 and x + x are both x << 1, flags included
define i32 @src(i32 %x) {
  %r = mul nsw i32 %x, 2
  ret i32 %r
}

define i32 @tgt(i32 %x) {
  %r = shl nsw i32 %x, 1
  ret i32 %r
}

define i32 @src1(i32 %x) {
  %r = add i32 %x, %x
  ret i32 %r
}

define i32 @tgt1(i32 %x) {
  %r = shl i32 %x, 1
  ret i32 %r
}
