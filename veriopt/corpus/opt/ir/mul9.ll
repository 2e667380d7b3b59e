; x*9 = (x<<3)+x (LLVM keeps the mul; x86 lowers it to lea)
define i32 @f(i32 %x) {
  %r = mul i32 %x, 9
  ret i32 %r
}
