"""Instantiating a rule at one width with concrete constants: the (source,
target) module pair that tests/agents/test_rules.py proves with the verifier."""
from __future__ import annotations

from veriopt.agents.rules.emitter import (
    emit_rule_target, fresh_name, intrinsic_declarations, name_text,
)
from veriopt.agents.rules.table import CASTS, Pattern, Rule, mask, op_spec


BOUNDARY_CONSTANTS = (0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65)


def constant_choices(rule: Rule, w: int, limit: int = 3) -> list[dict]:
    """Up to `limit` constant assignments the precondition admits at width
    w: small values, values near w, powers of two and their neighbours at
    the top of the range, and -1."""
    top = [(1 << k) + d for k in (w - 2, w - 1) for d in (-1, 0, 1)]
    pool = sorted({c & mask(w) for c in (*BOUNDARY_CONSTANTS, w - 1, w, w + 1, *top, -1, -2)})
    names = rule.constants
    found: list[dict] = []

    def extend(b: dict, rest: list[str]) -> None:
        if len(found) >= limit:
            return
        if not rest:
            try:
                if rule.pre(b, w):
                    found.append(dict(b))
            except (KeyError, ValueError):
                pass
            return
        for c in pool:
            extend({**b, rest[0]: c}, rest[1:])

    # spread the picks: try assignments from both ends of the pool
    pool = [c for pair in zip(pool, reversed(pool)) for c in pair][:len(pool)]
    extend({}, names)
    return found


def instantiate(rule: Rule, w: int, consts: dict) -> tuple[str, str]:
    """(source module, target module) defining @f at width w with the given
    constants: the pair tests/agents/test_rules.py verifies."""
    params: dict[str, str] = {}

    def var_type(name: str) -> str:
        return rule.var_types.get(name, f"i{w}")

    def collect(pat: Pattern) -> None:
        if isinstance(pat, str) and pat != "#w" and not pat.startswith("C"):
            params.setdefault(pat, var_type(pat))
        elif isinstance(pat, tuple):
            for p in pat[1:]:
                collect(p)
    collect(rule.source)
    header_params = ", ".join(f"{t} %{n}" for n, t in params.items())
    b = {**consts, **{n: f"%{n}" for n in params}}

    def src_emit(pat: Pattern) -> tuple[list[str], str, str]:
        if isinstance(pat, int):
            return [], str(pat), f"i{w}"
        if isinstance(pat, str):
            if pat == "#w":
                return [], str(w), f"i{w}"
            if pat.startswith("C"):
                return [], str(consts[pat]), f"i{w}"
            return [], f"%{pat}", params[pat]
        lines, args, types = [], [], []
        for sub in pat[1:]:
            sub_lines, text, ty = src_emit(sub)
            lines += sub_lines
            args.append(text)
            types.append(ty)
        name = fresh_name("s")
        opcode, sub, flags = op_spec(pat[0])
        flag_text = "".join(f" {f}" for f in sorted(flags))
        ty = types[-1] if opcode == "select" else types[0]
        if opcode in CASTS:
            factor = int(pat[0].split(":")[1])
            out = f"i{w * factor}"
            lines.append(f"%{name} = {opcode} {ty} {args[0]} to {out}")
            return lines, f"%{name}", out
        if opcode == "icmp":
            lines.append(f"%{name} = icmp {sub} {ty} {args[0]}, {args[1]}")
            return lines, f"%{name}", "i1"
        if opcode == "select":
            lines.append(f"%{name} = select i1 {args[0]}, {ty} {args[1]}, {ty} {args[2]}")
            return lines, f"%{name}", ty
        if opcode == "call":
            extra = ", i1 false" if sub == "abs" else ""
            call_args = ", ".join(f"{ty} {a}" for a in args)
            lines.append(f"%{name} = call {ty} @llvm.{sub}.{ty}({call_args}{extra})")
            return lines, f"%{name}", ty
        lines.append(f"%{name} = {opcode}{flag_text} {ty} {args[0]}, {args[1]}")
        return lines, f"%{name}", ty

    src_lines, src_ret, ret_ty = src_emit(rule.source)
    tgt_lines, tgt_ret = emit_rule_target(rule, b, w, name_text)
    if isinstance(rule.target, str) and rule.target.startswith("%"):
        tgt_ret = rule.target

    def module(lines: list[str], ret: str) -> str:
        body = "\n".join(f"  {line}" for line in lines)
        decls = "\n".join(intrinsic_declarations(lines))
        return f"define {ret_ty} @f({header_params}) {{\n{body}\n  ret {ret_ty} {ret}\n}}\n{decls}\n"

    return module(src_lines, src_ret), module(tgt_lines, tgt_ret)
