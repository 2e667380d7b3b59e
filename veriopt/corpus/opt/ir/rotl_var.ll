; rotate by a variable (LLVM folds only the masked form)
define i32 @f(i32 %x, i32 %n) {
  %a = shl i32 %x, %n
  %m = sub i32 32, %n
  %b = lshr i32 %x, %m
  %r = or i32 %a, %b
  ret i32 %r
}
