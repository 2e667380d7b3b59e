; known better version of avg_floor.ll (a and b are read twice: frozen first, as they may be undef)
define i32 @f(i32 %a, i32 %b) {
  %a.fr = freeze i32 %a
  %b.fr = freeze i32 %b
  %x = and i32 %a.fr, %b.fr
  %y = xor i32 %a.fr, %b.fr
  %h = lshr i32 %y, 1
  %r = add i32 %x, %h
  ret i32 %r
}
