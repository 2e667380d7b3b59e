; adding 3, n times, is 3*n (modulo 2^32): the loop disappears
define i32 @src(i32 noundef %n) {
entry:
  br label %cond
cond:
  %s = phi i32 [ 0, %entry ], [ %add, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %add = add i32 %s, 3
  %inc = add i32 %i, 1
  br label %cond
end:
  ret i32 %s
}

define i32 @tgt(i32 noundef %n) {
  %r = mul i32 %n, 3
  ret i32 %r
}
