; the loop-invariant 2*n is computed in the loop instead of before it (shl for mul),
; and the counter gets nuw (i < n < 2^32 keeps i + 1 from wrapping)
define i32 @src(i32 noundef %n) {
entry:
  %m = mul i32 %n, 2
  br label %cond
cond:
  %s = phi i32 [ 0, %entry ], [ %add, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %add = add i32 %s, %m
  %inc = add i32 %i, 1
  br label %cond
end:
  ret i32 %s
}

define i32 @tgt(i32 noundef %n) {
entry:
  br label %cond
cond:
  %s = phi i32 [ 0, %entry ], [ %add, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %m = shl i32 %n, 1
  %add = add i32 %s, %m
  %inc = add nuw i32 %i, 1
  br label %cond
end:
  ret i32 %s
}
