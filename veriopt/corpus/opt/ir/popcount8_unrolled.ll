; unrolled bit count is ctpop (LLVM does not recognise it)
define i8 @f(i8 %x) {
  %b0 = and i8 %x, 1
  %s1 = lshr i8 %x, 1
  %b1 = and i8 %s1, 1
  %s2 = lshr i8 %x, 2
  %b2 = and i8 %s2, 1
  %s3 = lshr i8 %x, 3
  %b3 = and i8 %s3, 1
  %s4 = lshr i8 %x, 4
  %b4 = and i8 %s4, 1
  %s5 = lshr i8 %x, 5
  %b5 = and i8 %s5, 1
  %s6 = lshr i8 %x, 6
  %b6 = and i8 %s6, 1
  %s7 = lshr i8 %x, 7
  %a1 = add i8 %b0, %b1
  %a2 = add i8 %a1, %b2
  %a3 = add i8 %a2, %b3
  %a4 = add i8 %a3, %b4
  %a5 = add i8 %a4, %b5
  %a6 = add i8 %a5, %b6
  %r = add i8 %a6, %s7
  ret i8 %r
}
