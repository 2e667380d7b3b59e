; known better version of clamp_nonneg.ll
define i32 @f(i32 %x) {
  %r = call i32 @llvm.smax.i32(i32 %x, i32 0)
  ret i32 %r
}

declare i32 @llvm.smax.i32(i32, i32)
