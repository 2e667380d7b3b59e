; known better version of select_umin.ll
define i32 @f(i32 %x, i32 %y) {
  %r = call i32 @llvm.umin.i32(i32 %x, i32 %y)
  ret i32 %r
}

declare i32 @llvm.umin.i32(i32, i32)
