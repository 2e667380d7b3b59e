"""Shared helpers for the IR tests: build one-function modules from text."""
from __future__ import annotations

from veriopt.ir.loader import load_text
from veriopt.ir.model import Function
from veriopt.translation.ir_smt.evaluate import evaluate

# a loop counting to %n (at least once) and the loop-free form it equals
COUNT_TO_N = """define i8 @{name}(i8 %n) {{
entry:
  br label %loop
loop:
  %i = phi i8 [ 0, %entry ], [ %next, %loop ]
  %next = add i8 %i, 1
  %c = icmp ult i8 %next, %n
  br i1 %c, label %loop, label %exit
exit:
  ret i8 %next
}}
"""

UMAX_1 = """define i8 @{name}(i8 %n) {{
  %r = call i8 @llvm.umax.i8(i8 %n, i8 1)
  ret i8 %r
}}
"""


def function(text: str, name: str = "f") -> Function:
    return load_text(text).functions[name]


def run_op(body: str, args: list, ret: str = "i8", params: str = "i8 %a, i8 %b"):
    """Evaluate `%r = <body>; ret <ret> %r` on concrete arguments."""
    fn = function(f"define {ret} @f({params}) {{\n  %r = {body}\n  ret {ret} %r\n}}\n")
    return evaluate(fn, args)
