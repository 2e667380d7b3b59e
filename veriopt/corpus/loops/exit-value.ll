; the counter leaves the loop equal to n
define i64 @src(i64 noundef %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %inc, %loop.body ]
  %done = icmp uge i64 %i, %n
  br i1 %done, label %exit, label %loop.body
loop.body:
  %inc = add i64 %i, 1
  br label %loop
exit:
  ret i64 %i
}

define i64 @tgt(i64 noundef %n) {
  ret i64 %n
}
