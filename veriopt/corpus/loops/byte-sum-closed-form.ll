; an i8 loop adding 2 per iteration: 2*n modulo 256, as a shift
define i8 @src(i8 noundef %n) {
entry:
  br label %cond
cond:
  %s = phi i8 [ 0, %entry ], [ %add, %body ]
  %i = phi i8 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i8 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %add = add i8 %s, 2
  %inc = add i8 %i, 1
  br label %cond
end:
  ret i8 %s
}

define i8 @tgt(i8 noundef %n) {
  %r = shl i8 %n, 1
  ret i8 %r
}
