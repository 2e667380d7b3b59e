; the counter runs from 1 to n instead of 0 to n-1; the body uses it unchanged
define i32 @src(i32 noundef %n, i32 noundef %x) {
entry:
  br label %cond
cond:
  %h = phi i32 [ %x, %entry ], [ %h.next, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %k = add i32 %i, 1
  %m = mul i32 %h, 31
  %h.next = add i32 %m, %k
  %inc = add i32 %i, 1
  br label %cond
end:
  ret i32 %h
}

define i32 @tgt(i32 noundef %n, i32 noundef %x) {
entry:
  br label %cond
cond:
  %h = phi i32 [ %x, %entry ], [ %h.next, %body ]
  %k = phi i32 [ 1, %entry ], [ %k.next, %body ]
  %km1 = add i32 %k, -1
  %cmp = icmp ult i32 %km1, %n
  br i1 %cmp, label %body, label %end
body:
  %m = mul i32 %h, 31
  %h.next = add i32 %m, %k
  %k.next = add i32 %k, 1
  br label %cond
end:
  ret i32 %h
}
