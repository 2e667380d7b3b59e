; i*3 in the loop becomes a second counter that steps by 3
define i32 @src(i32 noundef %n) {
entry:
  br label %cond
cond:
  %s = phi i32 [ 0, %entry ], [ %add, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %m = mul i32 %i, 3
  %add = xor i32 %s, %m
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
  %j = phi i32 [ 0, %entry ], [ %j.next, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %add = xor i32 %s, %j
  %inc = add nuw i32 %i, 1
  %j.next = add i32 %j, 3
  br label %cond
end:
  ret i32 %s
}
