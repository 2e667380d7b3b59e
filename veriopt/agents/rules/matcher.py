"""Matching a rule's source pattern against an instruction and the
instructions that define its operands (the use-def tree in @fn)."""
from __future__ import annotations

from typing import Iterator

from veriopt.agents.rules.table import COMMUTATIVE, Pattern, Rule, mask, op_spec
from veriopt.ir.model import Instr, IntConst, LocalRef, Value
from veriopt.ir.types import IntType


def _norm(c: IntConst) -> int:
    return c.value & mask(c.type.width) if isinstance(c.type, IntType) else c.value


def _same(a: Value, b: Value) -> bool:
    return str(a) == str(b) and str(a.type) == str(b.type)


def _instr_matches(spec: str, instr: Instr) -> bool:
    opcode, sub, flags = op_spec(spec)
    if instr.opcode != opcode or not flags <= instr.flags:
        return False
    if opcode == "icmp":
        return instr.predicate == sub
    if opcode == "call":
        return str(instr.extra.get("callee", "")).startswith(f"llvm.{sub}.")
    return True


def _match(pat: Pattern, value: Value, defs: dict[str, Instr], b: dict) -> Iterator[dict]:
    if isinstance(pat, int):
        if isinstance(value, IntConst) and _norm(value) == pat & mask(value.type.width):
            yield b
        return
    if isinstance(pat, str):
        if pat == "#w":
            if isinstance(value, IntConst) and _norm(value) == value.type.width:
                yield b
        elif pat.startswith("C"):
            if isinstance(value, IntConst) and b.get(pat, _norm(value)) == _norm(value):
                yield {**b, pat: _norm(value)}
        elif pat not in b:
            yield {**b, pat: value}
        elif _same(b[pat], value):
            yield b
        return
    if not isinstance(value, LocalRef) or value.name not in defs:
        return
    yield from _match_instr(pat, defs[value.name], defs, b)


def _match_instr(pat: tuple, instr: Instr, defs: dict[str, Instr], b: dict) -> Iterator[dict]:
    spec, subpats = pat[0], list(pat[1:])
    if not _instr_matches(spec, instr):
        return
    operands = list(instr.operands)
    if op_spec(spec)[1] == "abs":
        operands = operands[:1]          # the i1 flag only adds poison to the source
    if len(operands) != len(subpats):
        return
    orders = [operands]
    if spec in COMMUTATIVE and len(operands) == 2:
        orders.append(operands[::-1])
    for ops in orders:
        yield from _match_all(subpats, ops, defs, b)


def _match_all(pats: list, values: list, defs: dict[str, Instr], b: dict) -> Iterator[dict]:
    if not pats:
        yield b
        return
    for b1 in _match(pats[0], values[0], defs, b):
        yield from _match_all(pats[1:], values[1:], defs, b1)


def rule_width(instr: Instr) -> int:
    """The width the rule's constants live at: the operands' width for an
    icmp, the result's otherwise (operand of a trunc: the narrow side)."""
    ty = instr.operands[0].type if instr.opcode == "icmp" else instr.type
    return ty.width if isinstance(ty, IntType) else 0


def match_rule(rule: Rule, instr: Instr, defs: dict[str, Instr]) -> dict | None:
    """The first binding under which `rule` rewrites `instr`, or None."""
    w = rule_width(instr)
    if w not in rule.widths:
        return None
    for b in _match_instr(rule.source, instr, defs, {}):
        if isinstance(rule.target, str) and not rule.target.startswith("C"):
            if str(b[rule.target].type) != str(instr.type):
                continue
        try:
            if rule.pre(b, w):
                return b
        except (KeyError, ValueError):
            continue
    return None
