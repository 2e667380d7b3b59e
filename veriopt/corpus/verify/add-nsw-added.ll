; an optimizer that assumes no signed overflow where the source allowed it
define i8 @src(i8 %x) {
  %r = add i8 %x, 1
  %c = icmp sgt i8 %r, %x
  %z = zext i1 %c to i8
  ret i8 %z
}

define i8 @tgt(i8 %x) {
  %r = add nsw i8 %x, 1
  %c = icmp sgt i8 %r, %x
  %z = zext i1 %c to i8
  ret i8 %z
}
; ERROR: Target is more poisonous than source
