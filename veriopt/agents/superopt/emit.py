"""Replace: the module with the function's body replaced by the
instructions computing a synthesised expression.

Each instruction is printed from the same `Instr` the semantics were taken
from (semantics.component_instr), so the IR proposed is the IR searched.
Arguments the new body reads more often than the source did are frozen
first: each use of an argument that may be undef may see another value.
"""
from __future__ import annotations

import re

from veriopt.agents.rules import function_span, intrinsic_declarations
from veriopt.agents.superopt.components import ZEXT, Expr, component_of, operands_of
from veriopt.agents.superopt.harvest import Problem
from veriopt.agents.superopt.semantics import component_instr
from veriopt.ir.model import Function, Instr, IntConst, LocalRef


def ir_line(instr: Instr, name: str, operands: list[str]) -> str:
    """One instruction named `name`: `instr`'s shape with its `%a<k>`
    operands replaced by the given operand texts."""
    def text(op) -> str:
        if isinstance(op, IntConst):        # an immediate flag: i1 false / true
            return "true" if op.value else "false"
        return operands[int(op.name[1:])]

    def typed(op) -> str:
        return f"{op.type} {text(op)}"
    ops = instr.operands
    if instr.opcode == "icmp":
        return f"{name} = icmp {instr.predicate} {ops[0].type} {text(ops[0])}, {text(ops[1])}"
    if instr.opcode == "zext":
        return f"{name} = zext {typed(ops[0])} to {instr.type}"
    if instr.opcode == "select":
        return f"{name} = select {', '.join(typed(op) for op in ops)}"
    if instr.opcode == "call":
        callee = instr.extra["callee"]
        return f"{name} = call {instr.type} @{callee}({', '.join(typed(op) for op in ops)})"
    return f"{name} = {instr.opcode} {instr.type} {text(ops[0])}, {text(ops[1])}"


def _const_text(value: int, width: int) -> str:
    return str(value - (1 << width) if value >> (width - 1) and width > 1 else value)


def expression_lines(e: Expr, width: int, arg_widths: dict[str, int]) -> tuple[list[str], str]:
    """(instructions, operand text of the result) computing `e`; a shared
    subexpression is computed once."""
    lines: list[str] = []
    names: dict[Expr, str] = {}

    def operand(x: Expr) -> tuple[str, int]:
        """The text of `x` and its width."""
        if x[0] == "arg":
            return f"%{x[1]}", arg_widths[x[1]]
        if x[0] == "const":
            return _const_text(x[1], x[2]), x[2]
        if x not in names:
            if x[0] == "zextarg":
                comp, args = ZEXT, [("arg", x[1])]
            else:
                comp, args = component_of(x), list(operands_of(x))
            texts, widths = zip(*[operand(a) for a in args])
            name = f"%so{len(names)}"
            instr = component_instr(comp, list(widths), width)
            lines.append(ir_line(instr, name, list(texts)))
            names[x] = name
        return names[x], 1 if x[0] == "icmp" else width

    result, _ = operand(e)
    return lines, result


def emit_function(problem: Problem, e: Expr, module_text: str) -> str:
    """The module with @fn's body replaced by the instructions computing e."""
    lines, result = expression_lines(e, problem.width, problem.arg_widths)
    lines = _freeze_reused_arguments(problem.fn, lines, result)
    text_lines = module_text.splitlines()
    start, end = function_span(text_lines, problem.fn.name)
    header = text_lines[start]
    body = [f"  {line}" for line in lines] + [f"  ret i{problem.ret_width} {result}"]
    decls = [d for d in intrinsic_declarations(lines)
             if re.search(r"@([\w.]+)\(", d).group(1) not in module_text]
    new = text_lines[:start] + [header] + body + text_lines[end:] + decls
    return "\n".join(new) + "\n"


_OPERAND = re.compile(r"%[-\w$.]+")


def paths_to_result(defs: list[tuple[str, list[str]]], result: str) -> dict[str, int]:
    """How many use paths lead from each value to the returned one: the
    number of times an undef in that value may be read independently."""
    paths = {result: 1}
    for name, operands in reversed(defs):
        for operand in operands:
            paths[operand] = paths.get(operand, 0) + paths.get(name, 0)
    return paths


def _freeze_reused_arguments(fn: Function, lines: list[str], result: str) -> list[str]:
    """Each use of an argument that may be undef may see a different value
    (LangRef). An argument the new body reads along more use paths than the
    source does is frozen first and the frozen copy used: freeze only
    removes behaviours, so the source's reads stay covered."""
    new_defs = [(line.split("=", 1)[0].strip(), _OPERAND.findall(line.split("=", 1)[1]))
                for line in lines]
    old_defs = [(f"%{i.name}", [str(op) for op in i.operands if isinstance(op, LocalRef)])
                for i in fn.instructions() if i.name]
    old_ret = [str(i.operands[0]) for i in fn.instructions() if i.opcode == "ret" and i.operands]
    new_paths = paths_to_result(new_defs, result)
    old_paths = paths_to_result(old_defs, old_ret[0]) if len(old_ret) == 1 else {}
    freezes, renamed = [], {}
    for param in fn.params:
        name = f"%{param.name}"
        if param.attrs.noundef or new_paths.get(name, 0) <= old_paths.get(name, 0):
            continue
        renamed[name] = f"%{param.name}.fr"
        freezes.append(f"%{param.name}.fr = freeze {param.type} {name}")
    if not renamed:
        return lines

    def rename(line: str) -> str:
        target, expr = line.split("=", 1)
        return target + "=" + _OPERAND.sub(lambda m: renamed.get(m.group(0), m.group(0)), expr)
    return freezes + [rename(line) for line in lines]
