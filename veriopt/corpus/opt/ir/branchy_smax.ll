; branchy max through a phi
define i32 @f(i32 %x, i32 %y) {
entry:
  %c = icmp sgt i32 %x, %y
  br i1 %c, label %a, label %b
a:
  br label %b
b:
  %r = phi i32 [ %x, %a ], [ %y, %entry ]
  ret i32 %r
}
