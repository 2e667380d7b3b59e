; max is idempotent
define i32 @f(i32 %x, i32 %y) {
  %m = call i32 @llvm.smax.i32(i32 %x, i32 %y)
  %r = call i32 @llvm.smax.i32(i32 %m, i32 %x)
  ret i32 %r
}

declare i32 @llvm.smax.i32(i32, i32)
