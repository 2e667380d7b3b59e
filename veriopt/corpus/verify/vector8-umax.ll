; sixteen undef flags: proved with the source choosing the target's undef values
define <8 x i8> @src(<8 x i8> %a, <8 x i8> %b) {
  %c = icmp uge <8 x i8> %a, %b
  %r = select <8 x i1> %c, <8 x i8> %a, <8 x i8> %b
  ret <8 x i8> %r
}

define <8 x i8> @tgt(<8 x i8> %a, <8 x i8> %b) {
  %r = call <8 x i8> @llvm.umax.v8i8(<8 x i8> %a, <8 x i8> %b)
  ret <8 x i8> %r
}
