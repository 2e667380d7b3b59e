; adding `exact` makes the target poison whenever low bits are shifted out
define i8 @src(i8 %x) {
  %r = udiv i8 %x, 8
  ret i8 %r
}

define i8 @tgt(i8 %x) {
  %r = lshr exact i8 %x, 3
  ret i8 %r
}
; ERROR: Target is more poisonous than source
