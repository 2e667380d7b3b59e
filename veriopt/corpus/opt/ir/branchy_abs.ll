; branchy abs
define i32 @f(i32 %x) {
entry:
  %c = icmp slt i32 %x, 0
  br i1 %c, label %neg, label %done
neg:
  %n = sub i32 0, %x
  br label %done
done:
  %r = phi i32 [ %n, %neg ], [ %x, %entry ]
  ret i32 %r
}
