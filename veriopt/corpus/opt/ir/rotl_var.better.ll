; known better version of rotl_var.ll
define i32 @f(i32 %x, i32 %n) {
  %r = call i32 @llvm.fshl.i32(i32 %x, i32 %x, i32 %n)
  ret i32 %r
}

declare i32 @llvm.fshl.i32(i32, i32, i32)
