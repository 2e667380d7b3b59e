; a select on a loop-invariant flag moves out of the loop
define i16 @src(i16 noundef %n, i1 noundef %c) {
entry:
  br label %cond
cond:
  %s = phi i16 [ 0, %entry ], [ %add, %body ]
  %i = phi i16 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp slt i16 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %d = select i1 %c, i16 7, i16 1
  %add = add i16 %s, %d
  %inc = add nsw i16 %i, 1
  br label %cond
end:
  ret i16 %s
}

define i16 @tgt(i16 noundef %n, i1 noundef %c) {
entry:
  %d = select i1 %c, i16 7, i16 1
  br label %cond
cond:
  %s = phi i16 [ 0, %entry ], [ %add, %body ]
  %i = phi i16 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp slt i16 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %add = add i16 %s, %d
  %inc = add nuw nsw i16 %i, 1
  br label %cond
end:
  ret i16 %s
}
