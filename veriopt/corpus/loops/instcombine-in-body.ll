; the loop body simplified in place: (a ^ -1) + 1 is -a, x*8 is x << 3
define i32 @src(i32 noundef %n, i32 noundef %a) {
entry:
  br label %cond
cond:
  %s = phi i32 [ %a, %entry ], [ %s.next, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ne i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %not = xor i32 %s, -1
  %neg = add i32 %not, 1
  %m = mul i32 %neg, 8
  %s.next = add i32 %m, %i
  %inc = add i32 %i, 1
  br label %cond
end:
  ret i32 %s
}

define i32 @tgt(i32 noundef %n, i32 noundef %a) {
entry:
  br label %cond
cond:
  %s = phi i32 [ %a, %entry ], [ %s.next, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp eq i32 %i, %n
  br i1 %cmp, label %end, label %body
body:
  %neg = sub i32 0, %s
  %m = shl i32 %neg, 3
  %s.next = add i32 %m, %i
  %inc = add i32 %i, 1
  br label %cond
end:
  ret i32 %s
}
