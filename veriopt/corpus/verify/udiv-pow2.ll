; unsigned division by a power of two is a logical shift right
define i64 @src(i64 %x) {
  %r = udiv i64 %x, 16
  ret i64 %r
}

define i64 @tgt(i64 %x) {
  %r = lshr i64 %x, 4
  ret i64 %r
}
