; known better version of is_pow2.ll
define i1 @f(i32 %x) {
  %p = call i32 @llvm.ctpop.i32(i32 %x)
  %r = icmp eq i32 %p, 1
  ret i1 %r
}

declare i32 @llvm.ctpop.i32(i32)
