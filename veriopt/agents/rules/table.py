"""The rule library: each rule is (source pattern, precondition on its
constants, target pattern), written as nested tuples so one rule serves
every width: `("mul", "x", "C")` matches a multiplication of anything by a
constant. Each rule claims a set of widths, and tests/agents/test_rules.py proves
every rule at every width it claims with the real verifier (constants
instantiated at the boundary values the precondition admits).

Pattern leaves: a lowercase name binds any value (the same name must bind
the same value), a name starting with "C" binds an integer constant,
"#w" is the constant equal to the bit width, an int is that constant
(modulo 2^w). Opcodes may name flags the source must carry ("sdiv
exact"), predicates ("icmp ult"), intrinsics ("call umin") and, for casts,
the width factor used when the rule is instantiated ("zext:2").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Union

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


def op_spec(spec: str) -> tuple[str, str | None, frozenset[str]]:
    """("icmp ult") -> ("icmp", "ult", {}); ("sdiv exact") -> ("sdiv", None, {"exact"});
    ("call umin") -> ("call", "umin", {}); ("zext:2") -> ("zext", None, {})."""
    words = spec.split(":")[0].split()
    head, rest = words[0], words[1:]
    if head in ("icmp", "call"):
        return head, rest[0], frozenset(rest[1:])
    return head, None, frozenset(rest)
