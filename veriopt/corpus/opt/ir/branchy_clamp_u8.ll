; clamp to 255 is umin
define i32 @f(i32 %x) {
entry:
  %c = icmp ugt i32 %x, 255
  br i1 %c, label %big, label %done
big:
  br label %done
done:
  %r = phi i32 [ 255, %big ], [ %x, %entry ]
  ret i32 %r
}
