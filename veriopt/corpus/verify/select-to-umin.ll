; the select idiom is the umin intrinsic, lane by lane
define <4 x i16> @src(<4 x i16> %a, <4 x i16> %b) {
  %c = icmp ult <4 x i16> %a, %b
  %r = select <4 x i1> %c, <4 x i16> %a, <4 x i16> %b
  ret <4 x i16> %r
}

define <4 x i16> @tgt(<4 x i16> %a, <4 x i16> %b) {
  %r = call <4 x i16> @llvm.umin.v4i16(<4 x i16> %a, <4 x i16> %b)
  ret <4 x i16> %r
}
