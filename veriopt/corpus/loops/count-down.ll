; counting down from n to 0, adding 5 each time, is 5*n
define i32 @src(i32 noundef %n) {
entry:
  br label %loop
loop:
  %s = phi i32 [ 0, %entry ], [ %add, %body ]
  %k = phi i32 [ %n, %entry ], [ %dec, %body ]
  %more = icmp ne i32 %k, 0
  br i1 %more, label %body, label %exit
body:
  %add = add i32 %s, 5
  %dec = add i32 %k, -1
  br label %loop
exit:
  ret i32 %s
}

define i32 @tgt(i32 noundef %n) {
  %r = mul i32 %n, 5
  ret i32 %r
}
