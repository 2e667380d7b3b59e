; a frozen value is one value; undef is a different one at every use
define i8 @src() {
  %v = freeze i8 undef
  ret i8 %v
}

define i8 @tgt() {
  ret i8 undef
}
; ERROR: Target's return value is more undefined
