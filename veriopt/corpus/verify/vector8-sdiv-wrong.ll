; eight lanes, each argument possibly undef: too many undef flags to split
; case by case, so the no-undef case is checked first, then the rest at once
define <8 x i8> @src(<8 x i8> %a) {
  %r = sdiv <8 x i8> %a, splat (i8 2)
  ret <8 x i8> %r
}

define <8 x i8> @tgt(<8 x i8> %a) {
  %r = ashr <8 x i8> %a, splat (i8 1)
  ret <8 x i8> %r
}
; ERROR: Value mismatch
