; known better version of branchy_abs.ll
define i32 @f(i32 %x) {
  %r = call i32 @llvm.abs.i32(i32 %x, i1 false)
  ret i32 %r
}

declare i32 @llvm.abs.i32(i32, i1)
