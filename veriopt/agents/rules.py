"""The `rules` agent: a library of peephole rewrites over the typed IR.

A rule is (source pattern, precondition on its constants, target pattern),
written as nested tuples so one rule serves every width: `("mul", "x",
"C")` matches a multiplication of anything by a constant. Each rule claims
a set of widths, and tests/test_rules.py proves every rule at every width
it claims with the real verifier (constants instantiated at the boundary
values the precondition admits). Applying a rule rewrites the module text,
so the result is an ordinary candidate the orchestrator verifies again.

Pattern leaves: a lowercase name binds any value (the same name must bind
the same value), a name starting with "C" binds an integer constant,
"#w" is the constant equal to the bit width, an int is that constant
(modulo 2^w). Opcodes may name flags the source must carry ("sdiv
exact"), predicates ("icmp ult"), intrinsics ("call umin") and, for casts,
the width factor used when the rule is instantiated ("zext:2").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count
from typing import Callable, Iterator, Union

from veriopt.agents.base import Candidate, Task
from veriopt.bench.cost import function_cost
from veriopt.errors import BadInput, Unsupported
from veriopt.ir.loader import canonicalize, load_text
from veriopt.ir.model import Function, Instr, IntConst, LocalRef, Value
from veriopt.ir.types import IntType
from veriopt.verify.verdict import Verdict

ConstFn = Callable[[dict, int], int]
Pattern = Union[str, int, tuple]
Target = Union[str, int, tuple, Callable]

COMMUTATIVE = {"add", "mul", "and", "or", "xor", "icmp eq", "icmp ne",
               "call umin", "call umax", "call smin", "call smax"}
CASTS = {"zext", "sext", "trunc"}
WIDTHS = (8, 16, 32, 64)


def mask(w: int) -> int:
    return (1 << w) - 1


def is_pow2(c: int) -> bool:
    return c > 0 and c & (c - 1) == 0


def log2(c: int) -> int:
    return c.bit_length() - 1


@dataclass(frozen=True)
class Rule:
    name: str
    source: tuple
    target: Target
    pre: Callable[[dict, int], bool] = lambda b, w: True
    widths: tuple[int, ...] = WIDTHS
    var_types: dict[str, str] = field(default_factory=dict)   # e.g. {"c": "i1"}

    @property
    def constants(self) -> list[str]:
        return sorted(set(_constant_names(self.source)))

    @property
    def frozen(self) -> list[str]:
        """Variables the target uses more often than the source: each use of
        a value that may be undef may differ (LangRef), so such a variable
        is frozen once and the frozen value used (as InstCombine does)."""
        src_uses, tgt_uses = _var_uses(self.source), _var_uses(self.target)
        return sorted(v for v, n in tgt_uses.items() if n > src_uses.get(v, 0))


def _var_uses(pat) -> dict[str, int]:
    uses: dict[str, int] = {}
    if isinstance(pat, str) and pat != "#w" and not pat.startswith("C"):
        uses[pat] = 1
    elif isinstance(pat, tuple):
        for sub in pat[1:]:
            for var, n in _var_uses(sub).items():
                uses[var] = uses.get(var, 0) + n
    return uses


def _constant_names(pat: Pattern) -> Iterator[str]:
    if isinstance(pat, str) and pat.startswith("C"):
        yield pat
    elif isinstance(pat, tuple):
        for p in pat[1:]:
            yield from _constant_names(p)


def _k(fn: Callable[[dict, int], int]) -> ConstFn:
    """Mark a computed target constant."""
    return fn


# ---- the library ------------------------------------------------------------

def _minmax_rules() -> list[Rule]:
    """select(icmp pred a, b) arms → min/max, for every ordering predicate."""
    rules = []
    kinds = {"ult": ("umin", "umax"), "ule": ("umin", "umax"), "ugt": ("umax", "umin"),
             "uge": ("umax", "umin"), "slt": ("smin", "smax"), "sle": ("smin", "smax"),
             "sgt": ("smax", "smin"), "sge": ("smax", "smin")}
    for pred, (same, swapped) in kinds.items():
        rules.append(Rule(f"select_{pred}_{same}", ("select", (f"icmp {pred}", "a", "b"), "a", "b"),
                          (f"call {same}", "a", "b")))
        rules.append(Rule(f"select_{pred}_swapped_{swapped}",
                          ("select", (f"icmp {pred}", "a", "b"), "b", "a"),
                          (f"call {swapped}", "a", "b")))
    return rules


RULES: list[Rule] = [
    # strength reduction
    Rule("mul_pow2_shl", ("mul", "x", "C"), ("shl", "x", _k(lambda b, w: log2(b["C"]))),
         pre=lambda b, w: is_pow2(b["C"]) and b["C"] > 1),
    Rule("mul_pow2_plus1", ("mul", "x", "C"),
         ("add", ("shl", "x", _k(lambda b, w: log2(b["C"] - 1))), "x"),
         pre=lambda b, w: b["C"] > 2 and is_pow2(b["C"] - 1)),
    Rule("mul_pow2_minus1", ("mul", "x", "C"),
         ("sub", ("shl", "x", _k(lambda b, w: log2(b["C"] + 1))), "x"),
         pre=lambda b, w: b["C"] > 2 and b["C"] < mask(w) and is_pow2(b["C"] + 1)),
    Rule("mul_neg1", ("mul", "x", -1), ("sub", 0, "x")),
    Rule("udiv_pow2_lshr", ("udiv", "x", "C"), ("lshr", "x", _k(lambda b, w: log2(b["C"]))),
         pre=lambda b, w: is_pow2(b["C"])),
    Rule("urem_pow2_and", ("urem", "x", "C"), ("and", "x", _k(lambda b, w: b["C"] - 1)),
         pre=lambda b, w: is_pow2(b["C"])),
    Rule("sdiv_exact_pow2_ashr", ("sdiv exact", "x", "C"),
         ("ashr", "x", _k(lambda b, w: log2(b["C"]))),
         pre=lambda b, w: is_pow2(b["C"]) and b["C"] < (1 << (w - 1))),
    Rule("udiv_udiv_const", ("udiv", ("udiv", "x", "C1"), "C2"),
         ("udiv", "x", _k(lambda b, w: b["C1"] * b["C2"])),
         pre=lambda b, w: b["C1"] > 0 and b["C2"] > 0 and b["C1"] * b["C2"] <= mask(w)),
    Rule("add_self_shl", ("add", "x", "x"), ("shl", "x", 1)),
    # cancellations and identities
    Rule("sub_self", ("sub", "x", "x"), 0),
    Rule("xor_self", ("xor", "x", "x"), 0),
    Rule("and_self", ("and", "x", "x"), "x"),
    Rule("or_self", ("or", "x", "x"), "x"),
    Rule("add_zero", ("add", "x", 0), "x"),
    Rule("or_zero", ("or", "x", 0), "x"),
    Rule("xor_zero", ("xor", "x", 0), "x"),
    Rule("and_allones", ("and", "x", -1), "x"),
    Rule("mul_one", ("mul", "x", 1), "x"),
    Rule("shl_zero", ("shl", "x", 0), "x"),
    Rule("lshr_zero", ("lshr", "x", 0), "x"),
    Rule("and_zero", ("and", "x", 0), 0),
    Rule("mul_zero", ("mul", "x", 0), 0),
    Rule("or_allones", ("or", "x", -1), -1),
    Rule("select_same_arms", ("select", "c", "x", "x"), "x", var_types={"c": "i1"}),
    Rule("xor_xor_cancel", ("xor", ("xor", "a", "b"), "b"), "a"),
    Rule("add_sub_cancel", ("add", ("sub", "a", "b"), "b"), "a"),
    Rule("sub_add_cancel", ("sub", ("add", "a", "b"), "b"), "a"),
    Rule("sub_sub_cancel", ("sub", "a", ("sub", "a", "b")), "b"),
    Rule("neg_neg", ("sub", 0, ("sub", 0, "x")), "x"),
    Rule("not_not", ("xor", ("xor", "x", -1), -1), "x"),
    Rule("sub_of_neg", ("sub", "x", ("sub", 0, "y")), ("add", "x", "y")),
    Rule("add_of_neg", ("add", ("sub", 0, "x"), "y"), ("sub", "y", "x")),
    Rule("and_or_absorb", ("and", "x", ("or", "x", "y")), "x"),
    Rule("or_and_absorb", ("or", "x", ("and", "x", "y")), "x"),
    Rule("xor_of_and_or", ("xor", ("and", "a", "b"), ("or", "a", "b")), ("xor", "a", "b")),
    Rule("add_of_and_or", ("add", ("and", "a", "b"), ("or", "a", "b")), ("add", "a", "b")),
    Rule("sub_or_and", ("sub", ("or", "a", "b"), ("and", "a", "b")), ("xor", "a", "b")),
    Rule("add_xor_and", ("add", ("xor", "a", "b"), ("and", "a", "b")), ("or", "a", "b")),
    # constant reassociation
    Rule("add_add_const", ("add", ("add", "x", "C1"), "C2"),
         ("add", "x", _k(lambda b, w: (b["C1"] + b["C2"]) & mask(w)))),
    Rule("sub_add_const", ("sub", ("add", "x", "C1"), "C2"),
         ("add", "x", _k(lambda b, w: (b["C1"] - b["C2"]) & mask(w)))),
    Rule("add_sub_const", ("add", ("sub", "x", "C1"), "C2"),
         ("add", "x", _k(lambda b, w: (b["C2"] - b["C1"]) & mask(w)))),
    Rule("xor_xor_const", ("xor", ("xor", "x", "C1"), "C2"),
         ("xor", "x", _k(lambda b, w: b["C1"] ^ b["C2"]))),
    Rule("and_and_const", ("and", ("and", "x", "C1"), "C2"),
         ("and", "x", _k(lambda b, w: b["C1"] & b["C2"]))),
    Rule("or_or_const", ("or", ("or", "x", "C1"), "C2"),
         ("or", "x", _k(lambda b, w: b["C1"] | b["C2"]))),
    Rule("mul_mul_const", ("mul", ("mul", "x", "C1"), "C2"),
         ("mul", "x", _k(lambda b, w: (b["C1"] * b["C2"]) & mask(w)))),
    Rule("or_and_masks", ("or", ("and", "x", "C1"), ("and", "x", "C2")),
         ("and", "x", _k(lambda b, w: b["C1"] | b["C2"]))),
    # shifts
    Rule("shl_shl_const", ("shl", ("shl", "x", "C1"), "C2"),
         ("shl", "x", _k(lambda b, w: b["C1"] + b["C2"])),
         pre=lambda b, w: b["C1"] + b["C2"] < w),
    Rule("lshr_lshr_const", ("lshr", ("lshr", "x", "C1"), "C2"),
         ("lshr", "x", _k(lambda b, w: b["C1"] + b["C2"])),
         pre=lambda b, w: b["C1"] + b["C2"] < w),
    Rule("shl_lshr_mask", ("lshr", ("shl", "x", "C"), "C"),
         ("and", "x", _k(lambda b, w: mask(w) >> b["C"])), pre=lambda b, w: b["C"] < w),
    Rule("lshr_shl_mask", ("shl", ("lshr", "x", "C"), "C"),
         ("and", "x", _k(lambda b, w: (mask(w) << b["C"]) & mask(w))),
         pre=lambda b, w: b["C"] < w),
    Rule("rotl_const", ("or", ("shl", "x", "C1"), ("lshr", "x", "C2")),
         ("call fshl", "x", "x", "C1"),
         pre=lambda b, w: 0 < b["C1"] < w and b["C1"] + b["C2"] == w),
    Rule("rotl_var", ("or", ("shl", "x", "a"), ("lshr", "x", ("sub", "#w", "a"))),
         ("call fshl", "x", "x", "a")),
    Rule("rotr_var", ("or", ("lshr", "x", "a"), ("shl", "x", ("sub", "#w", "a"))),
         ("call fshr", "x", "x", "a")),
    # select idioms
    *_minmax_rules(),
    Rule("uadd_sat_idiom", ("select", ("icmp ult", ("add", "a", "b"), "a"), -1, ("add", "a", "b")),
         ("call uadd.sat", "a", "b")),
    Rule("select_abs", ("select", ("icmp slt", "x", 0), ("sub", 0, "x"), "x"), ("call abs", "x")),
    Rule("select_abs_sgt", ("select", ("icmp sgt", "x", -1), "x", ("sub", 0, "x")),
         ("call abs", "x")),
    # icmp folds
    Rule("icmp_eq_sub_zero", ("icmp eq", ("sub", "a", "b"), 0), ("icmp eq", "a", "b")),
    Rule("icmp_ne_sub_zero", ("icmp ne", ("sub", "a", "b"), 0), ("icmp ne", "a", "b")),
    Rule("icmp_eq_xor_zero", ("icmp eq", ("xor", "a", "b"), 0), ("icmp eq", "a", "b")),
    Rule("icmp_ne_xor_zero", ("icmp ne", ("xor", "a", "b"), 0), ("icmp ne", "a", "b")),
    Rule("icmp_ult_one", ("icmp ult", "x", 1), ("icmp eq", "x", 0)),
    Rule("icmp_eq_add_const", ("icmp eq", ("add", "x", "C1"), "C2"),
         ("icmp eq", "x", _k(lambda b, w: (b["C2"] - b["C1"]) & mask(w)))),
    Rule("icmp_ne_add_const", ("icmp ne", ("add", "x", "C1"), "C2"),
         ("icmp ne", "x", _k(lambda b, w: (b["C2"] - b["C1"]) & mask(w)))),
    # casts
    Rule("trunc_zext", ("trunc:1", ("zext:2", "x")), "x"),
    Rule("trunc_sext", ("trunc:1", ("sext:2", "x")), "x"),
]

# Plausible but wrong variants, kept for the tests: the verifier must refute them.
WRONG_RULES: list[Rule] = [
    Rule("sdiv_pow2_ashr_without_exact", ("sdiv", "x", "C"),
         ("ashr", "x", _k(lambda b, w: log2(b["C"]))),
         pre=lambda b, w: is_pow2(b["C"]) and 1 < b["C"] < (1 << (w - 1))),
    Rule("select_true_to_or", ("select", "c", 1, "d"), ("or", "c", "d"), widths=(1,)),
    Rule("add_add_const_wrong_sign", ("add", ("add", "x", "C1"), "C2"),
         ("add", "x", _k(lambda b, w: (b["C1"] - b["C2"]) & mask(w))),
         pre=lambda b, w: b["C2"] * 2 % (1 << w) != 0),
    Rule("rotl_wrong_amount", ("or", ("shl", "x", "C1"), ("lshr", "x", "C2")),
         ("call fshl", "x", "x", "C1"),
         pre=lambda b, w: 0 < b["C1"] < w - 1 and b["C1"] + b["C2"] == w - 1, widths=(8, 16, 32)),
    Rule("select_ult_to_smin", ("select", ("icmp ult", "a", "b"), "a", "b"),
         ("call smin", "a", "b")),
]

RULES_BY_NAME = {r.name: r for r in RULES}


# ---- matching ---------------------------------------------------------------

def _op(spec: str) -> tuple[str, str | None, frozenset[str]]:
    """("icmp ult") -> ("icmp", "ult", {}); ("sdiv exact") -> ("sdiv", None, {"exact"});
    ("call umin") -> ("call", "umin", {}); ("zext:2") -> ("zext", None, {})."""
    words = spec.split(":")[0].split()
    head, rest = words[0], words[1:]
    if head in ("icmp", "call"):
        return head, rest[0], frozenset(rest[1:])
    return head, None, frozenset(rest)


def _norm(c: IntConst) -> int:
    return c.value & mask(c.type.width) if isinstance(c.type, IntType) else c.value


def _same(a: Value, b: Value) -> bool:
    return str(a) == str(b) and str(a.type) == str(b.type)


def _instr_matches(spec: str, instr: Instr) -> bool:
    opcode, sub, flags = _op(spec)
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
    if _op(spec)[1] == "abs":
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


# ---- emitting target instructions ------------------------------------------

_fresh = count()


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
    name = result or f"vo.r{next(_fresh)}"
    opcode, sub, _ = _op(target[0])
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
        name = f"vo.fr{next(_fresh)}"
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


# ---- rewriting a module -------------------------------------------------------

def _def_map(fn: Function) -> dict[str, Instr]:
    return {i.name: i for i in fn.instructions() if i.name}


def _name_text(value: Value | str) -> str:
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
        new, _ = emit_rule_target(rule, b, w, _name_text, result=instr.name)
        lines[index:index + 1] = [indent + line for line in new]
        decls = [d for d in intrinsic_declarations(new)
                 if not re.search(rf"declare .*@{re.escape(d.split('@')[1].split('(')[0])}\(",
                                  module_text)]
        return "\n".join(lines + decls) + "\n"
    _, replacement = emit(rule.target, b, w, _name_text)
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


def applications(module_text: str, fn_name: str) -> Iterator[tuple[Rule, str]]:
    """Every (rule, rewritten module text) for one rule applied once at one
    instruction of @fn_name; the text is LLVM's printing after dead-code
    elimination."""
    from veriopt.agents.passes import run_passes
    module = load_text(module_text)
    fn = module.functions[fn_name]
    defs = _def_map(fn)
    for instr in fn.instructions():
        if not instr.name or not isinstance(instr.type, IntType):
            continue
        for rule in RULES:
            b = match_rule(rule, instr, defs)
            if b is None:
                continue
            try:
                text = canonicalize(rewrite(module.text, fn, instr, rule, b))
                text = run_passes(text, ("add_dead_code_elimination_pass",))
            except (BadInput, StopIteration, RuntimeError):
                continue
            yield rule, text


def _weighted(text: str, fn: str) -> int:
    return function_cost(load_text(text).functions[fn])[1]


class RulesAgent:
    """Applies the verified rule library greedily (never raising the cost)
    and proposes every intermediate module and the fixpoint."""

    name = "rules"

    def __init__(self, max_steps: int = 32):
        self.max_steps = max_steps

    def propose(self, task: Task) -> list[Candidate]:
        if task.level != "ir":
            return []
        try:
            text = canonicalize(task.source)
            cost = _weighted(text, task.function)
        except (BadInput, Unsupported, KeyError):
            return []
        candidates: list[Candidate] = []
        seen = {text}
        applied: list[str] = []
        for _ in range(self.max_steps):
            step = self._best_step(text, task.function, cost, seen)
            if step is None:
                break
            rule, text, cost = step
            seen.add(text)
            applied.append(rule.name)
            candidates.append(Candidate("ir", text, self.name, "rules: " + ", ".join(applied)))
        return candidates[::-1]           # the most rewritten first

    def _best_step(self, text: str, fn: str, cost: int,
                   seen: set[str]) -> tuple[Rule, str, int] | None:
        best = None
        try:
            for rule, new in applications(text, fn):
                if new in seen:
                    continue
                new_cost = _weighted(new, fn)
                if new_cost <= cost and (best is None or new_cost < best[2]):
                    best = (rule, new, new_cost)
        except (BadInput, Unsupported):
            return None
        return best

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        """Rules are proved once for all widths: a refutation is a bug in the
        library, not something to repair per task."""
        return []


# ---- instantiation (what the tests prove) -------------------------------------

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
    constants: the pair tests/test_rules.py verifies."""
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
        name = f"s{next(_fresh)}"
        opcode, sub, flags = _op(pat[0])
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
    tgt_lines, tgt_ret = emit_rule_target(rule, b, w, _name_text)
    if isinstance(rule.target, str) and rule.target.startswith("%"):
        tgt_ret = rule.target

    def module(lines: list[str], ret: str) -> str:
        body = "\n".join(f"  {line}" for line in lines)
        decls = "\n".join(intrinsic_declarations(lines))
        return f"define {ret_ty} @f({header_params}) {{\n{body}\n  ret {ret_ty} {ret}\n}}\n{decls}\n"

    return module(src_lines, src_ret), module(tgt_lines, tgt_ret)
