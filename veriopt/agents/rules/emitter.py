"""Emitting a rule's target as IR text, and rewriting a module with it."""
from __future__ import annotations

import re
from itertools import count
from typing import Callable

from veriopt.agents.rules.matcher import rule_width
from veriopt.agents.rules.table import Rule, Target, op_spec
from veriopt.ir.model import Function, Instr, Value


_fresh = count()


def fresh_name(prefix: str) -> str:
    """A name no other emitted instruction has."""
    return f"{prefix}{next(_fresh)}"


def emit(target: Target, b: dict, w: int, name_of: Callable[[Value | str], str],
         result: str | None = None) -> tuple[list[str], str]:
    """(instruction lines, operand text) computing `target` at width w; the
    root instruction is named `result` when given."""
    ty = f"i{w}"
    if callable(target):
        return [], str(target(b, w))
    if isinstance(target, int):
        return [], str(target)
    if isinstance(target, str):
        if target == "#w":
            return [], str(w)
        if target.startswith("C"):
            return [], str(b[target])
        return [], name_of(b[target])
    lines: list[str] = []
    args = []
    for sub in target[1:]:
        sub_lines, text = emit(sub, b, w, name_of)
        lines += sub_lines
        args.append(text)
    name = result or fresh_name("vo.r")
    opcode, sub, _ = op_spec(target[0])
    if opcode == "icmp":
        line = f"%{name} = icmp {sub} {ty} {args[0]}, {args[1]}"
    elif opcode == "select":
        line = f"%{name} = select i1 {args[0]}, {ty} {args[1]}, {ty} {args[2]}"
    elif opcode == "call":
        params = ", ".join(f"{ty} {a}" for a in args)
        if sub == "abs":
            params += ", i1 false"
        line = f"%{name} = call {ty} @llvm.{sub}.{ty}({params})"
    else:
        line = f"%{name} = {opcode} {ty} {args[0]}, {args[1]}"
    return lines + [line], f"%{name}"


def emit_rule_target(rule: Rule, b: dict, w: int, name_of: Callable[[Value | str], str],
                     result: str | None = None) -> tuple[list[str], str]:
    """`emit` of the rule's target, after freezing the variables it uses
    more often than its source."""
    freezes = []
    b = dict(b)
    for var in rule.frozen:
        name = fresh_name("vo.fr")
        freezes.append(f"%{name} = freeze {rule.var_types.get(var, f'i{w}')} {name_of(b[var])}")
        b[var] = f"%{name}"
    lines, text = emit(rule.target, b, w, name_of, result)
    return freezes + lines, text


def intrinsic_declarations(lines: list[str]) -> list[str]:
    """`declare` lines for the intrinsics the given instructions call."""
    decls = {}
    for line in lines:
        for m in re.finditer(r"call (i\d+) @(llvm\.([\w.]+?)\.i\d+)\(", line):
            ty, callee, kind = m.groups()
            n = {"abs": None, "ctlz": None, "cttz": None, "fshl": 3, "fshr": 3, "ctpop": 1, "bswap": 1,
                 "bitreverse": 1}.get(kind, 2)
            params = f"{ty}, i1" if n is None else ", ".join([ty] * n)
            decls[callee] = f"declare {ty} @{callee}({params})"
    return list(decls.values())


def name_text(value: Value | str) -> str:
    return value if isinstance(value, str) else str(value)


_NAME_CHARS = r"[-\w$.]"


def rewrite(module_text: str, fn: Function, instr: Instr, rule: Rule, b: dict) -> str:
    """The module with `instr` replaced by the rule's target (dead
    instructions are left for DCE)."""
    w = rule_width(instr)
    lines = module_text.splitlines()
    index = instr.line - 1
    indent = re.match(r"\s*", lines[index]).group(0)
    if isinstance(rule.target, tuple):
        new, _ = emit_rule_target(rule, b, w, name_text, result=instr.name)
        lines[index:index + 1] = [indent + line for line in new]
        decls = [d for d in intrinsic_declarations(new)
                 if not re.search(rf"declare .*@{re.escape(d.split('@')[1].split('(')[0])}\(",
                                  module_text)]
        return "\n".join(lines + decls) + "\n"
    _, replacement = emit(rule.target, b, w, name_text)
    del lines[index]
    use = re.compile(rf"%{re.escape(instr.name)}(?!{_NAME_CHARS})")
    start, end = function_span(lines, fn.name)
    for i in range(start, end):
        lines[i] = use.sub(replacement, lines[i])
    return "\n".join(lines) + "\n"


def function_span(lines: list[str], fn: str) -> tuple[int, int]:
    """(index of the `define` line, index of the closing brace) of @fn."""
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("define") and re.search(rf"@{re.escape(fn)}\(", line))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("}"))
    return start, end
