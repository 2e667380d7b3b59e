; loops are outside the integer core: reported unsupported, never guessed
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
; VERDICT: unsupported
