"""Shared helpers for the IR tests: build one-function modules from text."""
from __future__ import annotations

from veriopt.ir.loader import load_text
from veriopt.ir.model import Function
from veriopt.translation.ir_smt.evaluate import evaluate


def function(text: str, name: str = "f") -> Function:
    return load_text(text).functions[name]


def run_op(body: str, args: list, ret: str = "i8", params: str = "i8 %a, i8 %b"):
    """Evaluate `%r = <body>; ret <ret> %r` on concrete arguments."""
    fn = function(f"define {ret} @f({params}) {{\n  %r = {body}\n  ret {ret} %r\n}}\n")
    return evaluate(fn, args)
