; a search loop with an early exit; i*7 rewritten as (i << 3) - i
define i32 @src(i32 noundef %n, i32 noundef %x) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %inc, %next ]
  %m = mul i32 %i, 7
  %hit = icmp eq i32 %m, %x
  br i1 %hit, label %found, label %next
next:
  %inc = add i32 %i, 1
  %more = icmp ult i32 %inc, %n
  br i1 %more, label %loop, label %missing
found:
  ret i32 %i
missing:
  ret i32 -1
}

define i32 @tgt(i32 noundef %n, i32 noundef %x) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %inc, %next ]
  %e = shl i32 %i, 3
  %m = sub i32 %e, %i
  %hit = icmp eq i32 %x, %m
  br i1 %hit, label %found, label %next
next:
  %inc = add nuw i32 %i, 1
  %more = icmp ult i32 %inc, %n
  br i1 %more, label %loop, label %missing
found:
  ret i32 %i
missing:
  ret i32 -1
}
