; the target stops where the source returns: not UB, but it no longer returns
define i8 @src(i8 %x) {
  ret i8 %x
}

define i8 @tgt(i8 %x) {
  call void @llvm.trap()
  ret i8 %x
}

declare void @llvm.trap()
; ERROR: Source and target don't have the same return domain
