; known better version of mul9.ll (x is read twice: frozen first, as x may be undef)
define i32 @f(i32 %x) {
  %x.fr = freeze i32 %x
  %s = shl i32 %x.fr, 3
  %r = add i32 %s, %x.fr
  ret i32 %r
}
