; a loop without --unroll is unrolled 8, 16, ... times: n = 0 already shows
; the closed form is wrong (the loop runs once and returns 1)
define i8 @src(i8 %n) {
entry:
  br label %loop
loop:
  %i = phi i8 [ 0, %entry ], [ %next, %loop ]
  %next = add i8 %i, 1
  %c = icmp ult i8 %next, %n
  br i1 %c, label %loop, label %exit
exit:
  ret i8 %next
}

define i8 @tgt(i8 %n) {
  ret i8 %n
}
; ERROR: Value mismatch
