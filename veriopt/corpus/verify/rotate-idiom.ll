; (x << 3) | (x >> 5) is a rotate, a funnel shift of x with itself
define i8 @src(i8 %x) {
  %a = shl i8 %x, 3
  %b = lshr i8 %x, 5
  %r = or i8 %a, %b
  ret i8 %r
}

define i8 @tgt(i8 %x) {
  %r = call i8 @llvm.fshl.i8(i8 %x, i8 %x, i8 3)
  ret i8 %r
}
