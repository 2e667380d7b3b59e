; setting the is_int_min_poison flag makes INT_MIN poison where it was not
define i32 @src(i32 %x) {
  %neg = sub i32 0, %x
  %c = icmp slt i32 %x, 0
  %r = select i1 %c, i32 %neg, i32 %x
  ret i32 %r
}

define i32 @tgt(i32 %x) {
  %r = call i32 @llvm.abs.i32(i32 %x, i1 true)
  ret i32 %r
}
; ERROR: Target is more poisonous than source
