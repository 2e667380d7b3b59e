; hoisting a division out of its guard introduces division by zero
define i32 @src(i32 %x, i32 %y) {
entry:
  %nz = icmp ne i32 %y, 0
  br i1 %nz, label %div, label %done
div:
  %q = udiv i32 %x, %y
  br label %done
done:
  %r = phi i32 [ %q, %div ], [ 0, %entry ]
  ret i32 %r
}

define i32 @tgt(i32 %x, i32 %y) {
  %nz = icmp ne i32 %y, 0
  %q = udiv i32 %x, %y
  %r = select i1 %nz, i32 %q, i32 0
  ret i32 %r
}
; ERROR: Source is more defined than target
