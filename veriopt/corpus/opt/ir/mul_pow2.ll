; multiply by 2^k is a shift (LLVM does it)
define i32 @f(i32 %x) {
  %r = mul i32 %x, 8
  ret i32 %r
}
