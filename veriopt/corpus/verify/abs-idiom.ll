; the abs idiom, with INT_MIN as a non-poison result (flag false)
define i32 @src(i32 %x) {
  %neg = sub i32 0, %x
  %c = icmp slt i32 %x, 0
  %r = select i1 %c, i32 %neg, i32 %x
  ret i32 %r
}

define i32 @tgt(i32 %x) {
  %r = call i32 @llvm.abs.i32(i32 %x, i1 false)
  ret i32 %r
}
