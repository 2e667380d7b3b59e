; a two-way switch is a select
define i32 @src(i32 %x) {
entry:
  switch i32 %x, label %other [
    i32 7, label %seven
  ]
seven:
  br label %done
other:
  br label %done
done:
  %r = phi i32 [ 100, %seven ], [ 200, %other ]
  ret i32 %r
}

define i32 @tgt(i32 %x) {
  %c = icmp eq i32 %x, 7
  %r = select i1 %c, i32 100, i32 200
  ret i32 %r
}
