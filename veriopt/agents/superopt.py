"""The `superopt` agent: enumerative synthesis of a cheaper computation of
the value a function returns (the Souper idea, on our own verifier).

1. The source function is encoded with the verifier's own semantics
   (translation/ir_smt); concrete examples are inputs where it is defined
   (no UB, not poison), with its outputs.
2. Expressions over the arguments and small constants are enumerated
   bottom-up by weighted cost, one representative per behaviour on the
   examples (observational equivalence), up to one less than the source's
   cost, until the deadline.
3. Shapes `op(e, C)` with a symbolic constant C are solved with z3 over
   the examples (CEGIS): a solution is checked on all inputs, a
   counterexample joins the examples, and C is solved for again.
4. An expression equal to the source on the examples is checked on all
   inputs with z3 (a counterexample joins the examples and the search
   restarts), then by `verify_ir` itself (poison and undef arguments
   included). Only then is it proposed.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import z3

from veriopt.agents.base import Candidate, Task
from veriopt.agents.rules import function_span, intrinsic_declarations
from veriopt.bench.cost import function_cost
from veriopt.errors import BadInput, Unsupported
from veriopt.ir.loader import canonicalize, load_text
from veriopt.ir.model import Function, IntConst, LocalRef
from veriopt.ir.types import IntType
from veriopt.translation.ir_smt.function import Inputs, encode_function
from veriopt.translation.ir_smt.values import Lane
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.verdict import Status, Verdict

Expr = tuple   # ("arg", name) | ("const", value) | (op, *operands)
Vals = tuple   # one value per example (unsigned), for one expression

BINOPS: dict[str, int] = {"add": 1, "sub": 1, "and": 1, "or": 1, "xor": 1, "shl": 1,
                          "lshr": 1, "ashr": 1, "umin": 1, "umax": 1, "smin": 1, "smax": 1,
                          "rotl": 1, "rotr": 1, "mul": 3}
COMMUTATIVE = {"add", "and", "or", "xor", "umin", "umax", "smin", "smax", "mul"}
UNOPS: dict[str, int] = {"abs": 1, "ctpop": 1, "ctlz": 1, "cttz": 1}
PREDICATES = ("eq", "ne", "ult", "ule", "slt", "sle", "ugt", "uge", "sgt", "sge")
INTRINSIC_OPS = {"umin", "umax", "smin", "smax", "abs", "ctpop", "ctlz", "cttz"}


# ---- concrete semantics of the enumerated operations -----------------------

def _signed(v: int, w: int) -> int:
    return v - (1 << w) if v >> (w - 1) else v


def concrete_binop(op: str, a: int, b: int, w: int) -> int | None:
    """The operation on unsigned w-bit values; None where LLVM gives poison."""
    m = (1 << w) - 1
    if op == "add":
        return (a + b) & m
    if op == "sub":
        return (a - b) & m
    if op == "mul":
        return (a * b) & m
    if op == "and":
        return a & b
    if op == "or":
        return a | b
    if op == "xor":
        return a ^ b
    if op in ("shl", "lshr", "ashr"):
        if b >= w:
            return None
        if op == "shl":
            return (a << b) & m
        if op == "lshr":
            return a >> b
        return (_signed(a, w) >> b) & m
    if op in ("rotl", "rotr"):
        k = b % w if op == "rotl" else (w - b % w) % w
        return ((a << k) | (a >> (w - k))) & m if k else a
    if op == "umin":
        return min(a, b)
    if op == "umax":
        return max(a, b)
    if op == "smin":
        return a if _signed(a, w) <= _signed(b, w) else b
    if op == "smax":
        return a if _signed(a, w) >= _signed(b, w) else b
    raise ValueError(op)


def concrete_unop(op: str, a: int, w: int) -> int:
    if op == "abs":
        return abs(_signed(a, w)) & ((1 << w) - 1)
    if op == "ctlz":
        return w - a.bit_length()
    if op == "cttz":
        return w if a == 0 else (a & -a).bit_length() - 1
    return bin(a).count("1")


def concrete_icmp(pred: str, a: int, b: int, w: int) -> int:
    if pred[0] == "s":
        a, b = _signed(a, w), _signed(b, w)
    return int({"eq": a == b, "ne": a != b, "ult": a < b, "ule": a <= b, "ugt": a > b,
                "uge": a >= b, "slt": a < b, "sle": a <= b, "sgt": a > b,
                "sge": a >= b}[pred])


# ---- the same operations as SMT terms --------------------------------------

def smt_binop(op: str, a, b, w: int):
    """(value, poison) of the operation on z3 bit-vectors."""
    no = z3.BoolVal(False)
    table: dict[str, Callable] = {
        "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
        "and": lambda: a & b, "or": lambda: a | b, "xor": lambda: a ^ b,
        "shl": lambda: a << b, "lshr": lambda: z3.LShR(a, b), "ashr": lambda: a >> b,
        "umin": lambda: z3.If(z3.ULE(a, b), a, b), "umax": lambda: z3.If(z3.UGE(a, b), a, b),
        "smin": lambda: z3.If(a <= b, a, b), "smax": lambda: z3.If(a >= b, a, b),
        "rotl": lambda: z3.RotateLeft(a, b), "rotr": lambda: z3.RotateRight(a, b)}
    poison = z3.UGE(b, z3.BitVecVal(w, w)) if op in ("shl", "lshr", "ashr") else no
    return table[op](), poison


def smt_icmp(pred: str, a, b):
    return {"eq": a == b, "ne": a != b, "ult": z3.ULT(a, b), "ule": z3.ULE(a, b),
            "ugt": z3.UGT(a, b), "uge": z3.UGE(a, b), "slt": a < b, "sle": a <= b,
            "sgt": a > b, "sge": a >= b}[pred]


def smt_expr(e: Expr, env: dict[str, z3.BitVecRef], w: int, consts: dict[str, int] | None = None):
    """(value, poison) of an expression; booleans are 1-bit vectors."""
    kind = e[0]
    if kind == "arg":
        return env[e[1]], z3.BoolVal(False)
    if kind == "zextarg":
        return z3.ZeroExt(w - e[2], env[e[1]]), z3.BoolVal(False)
    if kind == "const":
        return z3.BitVecVal(e[1], e[2]), z3.BoolVal(False)
    if kind == "hole":
        value = consts[e[1]] if consts is not None and e[1] in consts else env[e[1]]
        return (z3.BitVecVal(value, w) if isinstance(value, int) else value), z3.BoolVal(False)
    if kind == "icmp":
        (a, pa), (b, pb) = smt_expr(e[2], env, w, consts), smt_expr(e[3], env, w, consts)
        return z3.If(smt_icmp(e[1], a, b), z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)), z3.Or(pa, pb)
    if kind == "zext":
        a, pa = smt_expr(e[1], env, w, consts)
        return z3.ZeroExt(w - 1, a), pa
    if kind == "select":
        (c, pc), (a, pa), (b, pb) = (smt_expr(x, env, w, consts) for x in e[1:])
        return z3.If(c == 1, a, b), z3.Or(pc, z3.If(c == 1, pa, pb))
    if kind in UNOPS:
        a, pa = smt_expr(e[1], env, w, consts)
        if kind == "abs":
            return z3.If(a < 0, -a, a), pa
        if kind in ("ctlz", "cttz"):
            result = z3.BitVecVal(w, w)
            order = range(w) if kind == "ctlz" else range(w - 1, -1, -1)
            for i in order:
                count = w - 1 - i if kind == "ctlz" else i
                result = z3.If(z3.Extract(i, i, a) == 1, z3.BitVecVal(count, w), result)
            return result, pa
        bits = [z3.ZeroExt(w - 1, z3.Extract(i, i, a)) for i in range(w)]
        return sum(bits[1:], bits[0]), pa
    (a, pa), (b, pb) = smt_expr(e[1], env, w, consts), smt_expr(e[2], env, w, consts)
    v, p = smt_binop(kind, a, b, w)
    return v, z3.Or(pa, pb, p)


def expr_cost(e: Expr) -> int:
    kind = e[0]
    if kind in ("arg", "const", "hole"):
        return 0
    if kind == "zextarg":
        return 1
    own = BINOPS.get(kind, 1)
    return own + sum(expr_cost(x) for x in e[1:] if isinstance(x, tuple))


# ---- the problem ------------------------------------------------------------

@dataclass
class Problem:
    """A function whose return value is to be synthesised."""

    fn: Function
    width: int                   # width of the arguments used as leaves
    ret_width: int               # width of the result (width, or 1)
    args: list[str]
    arg_widths: dict[str, int]   # narrower arguments enter zero-extended
    env: dict[str, z3.BitVecRef]
    value: z3.BitVecRef          # the source's result
    domain: z3.BoolRef           # the source is defined (no UB, returns, not poison)

    @classmethod
    def of(cls, fn: Function) -> "Problem | None":
        if not isinstance(fn.ret_type, IntType) or not fn.params:
            return None
        if not all(isinstance(p.type, IntType) for p in fn.params):
            return None
        ret_width = fn.ret_type.width
        width = max(max(p.type.width for p in fn.params), ret_width)
        if ret_width not in (width, 1) or width < 2 or width > 64:
            return None
        try:
            inputs = Inputs.make(fn.params, allow_poison=False, allow_undef=False)
            enc = encode_function(fn, inputs, "superopt")
        except (Unsupported, NotImplementedError, KeyError, ValueError):
            return None
        if enc.ret is None or not isinstance(enc.ret, Lane) or enc.undef_vars or enc.nondet_vars:
            return None
        env = {p.name: iv.value for p, iv in zip(fn.params, inputs.vars)}
        domain = z3.And(enc.returns, z3.Not(enc.ub), z3.Not(enc.ret.p))
        arg_widths = {p.name: p.type.width for p in fn.params}
        return cls(fn, width, ret_width, [p.name for p in fn.params], arg_widths, env,
                   enc.ret.v, domain)

    def output(self, example: dict[str, int]) -> int | None:
        """The source's result on one input, None outside its domain."""
        pairs = [(self.env[n], z3.BitVecVal(v, self.arg_widths[n])) for n, v in example.items()]
        if not z3.is_true(z3.simplify(z3.substitute(self.domain, *pairs))):
            return None
        return z3.simplify(z3.substitute(self.value, *pairs)).as_long()

    def counterexample(self, e: Expr, consts: dict[str, int] | None = None,
                       timeout_ms: int = 5000) -> dict[str, int] | None | bool:
        """An input where `e` differs from the source (or is poison) inside
        its domain; False when there is none; None when z3 gave up."""
        value, poison = smt_expr(e, self.env, self.width, consts)
        s = z3.Solver()
        s.set("timeout", timeout_ms)
        s.add(self.domain, z3.Or(poison, value != self.value))
        result = s.check()
        if result == z3.unsat:
            return False
        if result != z3.sat:
            return None
        model = s.model()
        return {n: model.eval(v, model_completion=True).as_long() for n, v in self.env.items()}


def _corner_values(w: int) -> list[int]:
    m = (1 << w) - 1
    return [0, 1, 2, m, m - 1, 1 << (w - 1), (1 << (w - 1)) - 1, 7, 100 & m]


def initial_examples(problem: Problem, count: int, seed: int = 0) -> list[dict[str, int]]:
    """Inputs where the source is defined: corners first, then random ones;
    z3 supplies one if sampling finds too few."""
    rng = random.Random(seed)
    widths = problem.arg_widths
    corners = {n: _corner_values(w) for n, w in widths.items()}
    examples: list[dict[str, int]] = []
    for i in range(count * 4):
        if len(examples) >= count:
            break
        if i < len(corners[problem.args[0]]):
            ex = {n: corners[n][(i + k * 3) % len(corners[n])] for k, n in enumerate(problem.args)}
        else:
            ex = {n: rng.getrandbits(widths[n]) if rng.random() < 0.7
                  else rng.randrange(64) & ((1 << widths[n]) - 1) for n in problem.args}
        if problem.output(ex) is not None and ex not in examples:
            examples.append(ex)
    if not examples:
        s = z3.Solver()
        s.add(problem.domain)
        if s.check() == z3.sat:
            m = s.model()
            examples.append({n: m.eval(v, model_completion=True).as_long()
                             for n, v in problem.env.items()})
    return examples


# ---- bottom-up enumeration --------------------------------------------------

class Bank:
    """Expressions found so far, one per behaviour on the examples, by cost."""

    def __init__(self) -> None:
        self.by_cost: dict[int, list[tuple[Expr, Vals]]] = {}
        self.bool_by_cost: dict[int, list[tuple[Expr, Vals]]] = {}
        self.seen: set[tuple[bool, Vals]] = set()

    def add(self, e: Expr, vals: Vals, cost: int, boolean: bool = False) -> bool:
        key = (boolean, vals)
        if key in self.seen:
            return False
        self.seen.add(key)
        (self.bool_by_cost if boolean else self.by_cost).setdefault(cost, []).append((e, vals))
        return True


def enumerate_expressions(problem: Problem, examples: list[dict[str, int]],
                          constants: list[int], max_cost: int,
                          deadline: float) -> Iterator[tuple[Expr, Vals, bool]]:
    """Every new behaviour (expression, values on examples, is boolean), by
    increasing cost, until `max_cost` or the deadline."""
    w = problem.width
    bank = Bank()
    for name in problem.args:
        vals = tuple(ex[name] for ex in examples)
        aw = problem.arg_widths[name]
        leaf, cost = (("arg", name), 0) if aw == w else (("zextarg", name, aw), 1)
        if bank.add(leaf, vals, cost):
            yield leaf, vals, False
    for c in constants:
        e = ("const", c, w)
        vals = tuple(c for _ in examples)
        if bank.add(e, vals, 0):
            yield e, vals, False
    for cost in range(1, max_cost + 1):
        for i, (e, vals, boolean) in enumerate(_grow(bank, cost, w)):
            if i % 256 == 0 and time.monotonic() > deadline:
                return
            if bank.add(e, vals, cost, boolean):
                yield e, vals, boolean


def _grow(bank: Bank, cost: int, w: int) -> Iterator[tuple[Expr, Vals, bool]]:
    """Candidate expressions of exactly `cost` built from the bank."""
    level = bank.by_cost
    for op, weight in UNOPS.items():
        for e, vals in level.get(cost - weight, []):
            yield (op, e), tuple(concrete_unop(op, a, w) for a in vals), False
    for op, weight in BINOPS.items():
        rest = cost - weight
        for c1 in range(rest + 1):
            for e1, v1 in level.get(c1, []):
                for e2, v2 in level.get(rest - c1, []):
                    if op in COMMUTATIVE and (c1, str(e1)) > (rest - c1, str(e2)):
                        continue
                    out = tuple(concrete_binop(op, a, b, w) for a, b in zip(v1, v2))
                    if None not in out:
                        yield (op, e1, e2), out, False
    rest = cost - 1
    for c1 in range(rest + 1):
        for e1, v1 in level.get(c1, []):
            for e2, v2 in level.get(rest - c1, []):
                for pred in PREDICATES:
                    yield (("icmp", pred, e1, e2),
                           tuple(concrete_icmp(pred, a, b, w) for a, b in zip(v1, v2)), True)
    for cond, cv in bank.bool_by_cost.get(cost - 1, []):
        yield ("zext", cond), cv, False
        leaves = level.get(0, [])
        for e1, v1 in leaves:
            for e2, v2 in leaves:
                if e1 != e2:
                    yield (("select", cond, e1, e2),
                           tuple(a if c else b for c, a, b in zip(cv, v1, v2)), False)


# ---- emitting IR --------------------------------------------------------------

def emit_function(problem: Problem, e: Expr, module_text: str) -> str:
    """The module with @fn's body replaced by the instructions computing e."""
    ty = f"i{problem.width}"
    lines: list[str] = []
    names: dict[Expr, str] = {}

    def operand(x: Expr) -> str:
        if x[0] == "arg":
            return f"%{x[1]}"
        if x[0] == "zextarg" and x not in names:
            names[x] = f"%so{len(names)}"
            lines.append(f"{names[x]} = zext i{x[2]} %{x[1]} to {ty}")
        if x[0] == "const":
            return str(x[1] - (1 << x[2]) if x[1] >> (x[2] - 1) and x[2] > 1 else x[1])
        if x in names:
            return names[x]
        kind = x[0]
        ops = [operand(y) if isinstance(y, tuple) else y for y in x[1:]]
        name = f"%so{len(names)}"
        if kind == "icmp":
            line = f"{name} = icmp {ops[0]} {ty} {ops[1]}, {ops[2]}"
        elif kind == "zext":
            line = f"{name} = zext i1 {ops[0]} to {ty}"
        elif kind == "select":
            line = f"{name} = select i1 {ops[0]}, {ty} {ops[1]}, {ty} {ops[2]}"
        elif kind == "abs":
            line = f"{name} = call {ty} @llvm.abs.{ty}({ty} {ops[0]}, i1 false)"
        elif kind == "ctpop":
            line = f"{name} = call {ty} @llvm.ctpop.{ty}({ty} {ops[0]})"
        elif kind in ("ctlz", "cttz"):
            line = f"{name} = call {ty} @llvm.{kind}.{ty}({ty} {ops[0]}, i1 false)"
        elif kind in ("rotl", "rotr"):
            fsh = "fshl" if kind == "rotl" else "fshr"
            line = (f"{name} = call {ty} @llvm.{fsh}.{ty}({ty} {ops[0]}, {ty} {ops[0]}, "
                    f"{ty} {ops[1]})")
        elif kind in INTRINSIC_OPS:
            line = f"{name} = call {ty} @llvm.{kind}.{ty}({ty} {ops[0]}, {ty} {ops[1]})"
        else:
            line = f"{name} = {kind} {ty} {ops[0]}, {ops[1]}"
        lines.append(line)
        names[x] = name
        return name

    result = operand(e)
    lines = _freeze_reused_arguments(problem.fn, lines, result)
    ret_ty = f"i{problem.ret_width}"
    text_lines = module_text.splitlines()
    start, end = function_span(text_lines, problem.fn.name)
    header = text_lines[start]
    body = [f"  {line}" for line in lines] + [f"  ret {ret_ty} {result}"]
    decls = [d for d in intrinsic_declarations(lines)
             if re.search(r"@([\w.]+)\(", d).group(1) not in module_text]
    new = text_lines[:start] + [header] + body + text_lines[end:] + decls
    return "\n".join(new) + "\n"


_OPERAND = re.compile(r"%[-\w$.]+")


def _paths_to_result(defs: list[tuple[str, list[str]]], result: str) -> dict[str, int]:
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
    new_paths = _paths_to_result(new_defs, result)
    old_paths = _paths_to_result(old_defs, old_ret[0]) if len(old_ret) == 1 else {}
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


# ---- the agent ---------------------------------------------------------------

class SuperoptAgent:
    """Synthesises a cheaper return value; proposes only what verify_ir proved."""

    name = "superopt"

    def __init__(self, deadline: float = 30.0, max_cost: int = 4, examples: int = 12,
                 verify_options: VerifyOptions | None = None):
        self.deadline = deadline
        self.max_cost = max_cost
        self.examples = examples
        self.verify_options = verify_options or VerifyOptions(timeout=10.0)
        self.extra_examples: list[dict[str, int]] = []
        self.solved_holes = 300       # expressions tried with a z3-solved constant, per level
        self._cache: dict[tuple[str, str, int, int], list[Candidate]] = {}

    def propose(self, task: Task) -> list[Candidate]:
        """The proved cheaper version, or nothing; a task already searched
        with the same examples answers from the cache (the search is
        deterministic, and the orchestrator may ask again)."""
        if task.level != "ir":
            return []
        key = (task.source, task.function, len(self.extra_examples), self.max_cost)
        if key not in self._cache:
            self._cache[key] = self._propose(task)
        return list(self._cache[key])

    def _propose(self, task: Task) -> list[Candidate]:
        try:
            text = canonicalize(task.source)
            fn = load_text(text).functions[task.function]
        except (BadInput, Unsupported, KeyError):
            return []
        problem = Problem.of(fn)
        if problem is None:
            return []
        source_cost = function_cost(fn)[1]
        found = self.search(problem, text, task.source, min(source_cost - 1, self.max_cost),
                            time.monotonic() + self.deadline)
        if found is None:
            return []
        expr, code = found
        return [Candidate("ir", code, self.name,
                          f"synthesised (cost {expr_cost(expr)} < {source_cost}): {expr}")]

    def search(self, problem: Problem, text: str, source: str, max_cost: int,
               deadline: float) -> tuple[Expr, str] | None:
        """The cheapest proved expression of cost <= max_cost, or None."""
        if max_cost < 1:
            return None
        extra = [{n: v & ((1 << problem.arg_widths[n]) - 1) for n, v in ex.items()}
                 for ex in self.extra_examples if set(ex) == set(problem.args)]
        examples = initial_examples(problem, self.examples) + [
            ex for ex in extra if problem.output(ex) is not None]
        rejected: set[str] = set()
        constants = self._constants(problem)
        for _restart in range(12):
            if time.monotonic() > deadline or not examples:
                return None
            outcome = self._one_pass(problem, text, source, examples, constants, max_cost,
                                     deadline, rejected)
            if outcome is None:
                return None
            if isinstance(outcome, dict):
                examples.append(outcome)       # a counterexample: restart with it
                continue
            return outcome
        return None

    def _constants(self, problem: Problem) -> list[int]:
        w = problem.width
        m = (1 << w) - 1
        pool = [1, 2, 3, w - 1, m]
        for instr in problem.fn.instructions():
            for op in instr.operands:
                if isinstance(op, IntConst) and isinstance(op.type, IntType) \
                        and op.type.width == w:
                    v = op.value & m
                    pool += [v, (v - 1) & m, (v + 1) & m, (-v) & m]
        return list(dict.fromkeys(c for c in pool if c != 0))[:12]

    def _one_pass(self, problem: Problem, text: str, source: str,
                  examples: list[dict[str, int]], constants: list[int], max_cost: int,
                  deadline: float, rejected: set[str]):
        """One enumeration over `examples`: an (expr, module) proved, a
        counterexample dict to restart with, or None (nothing found)."""
        outputs = tuple(problem.output(ex) for ex in examples)
        want_bool = problem.ret_width == 1 and problem.width != 1
        # iterative deepening: at every cost level, shapes with a symbolic
        # constant over the cheaper expressions first, then the enumeration
        for name in problem.args:           # cost 0: return an argument itself
            leaf = ("arg", name)
            if problem.arg_widths[name] == problem.ret_width and str(leaf) not in rejected \
                    and tuple(ex[name] for ex in examples) == outputs:
                outcome = self._check(problem, leaf, text, source, rejected)
                if outcome is not None:
                    return outcome
        entries: list[tuple[Expr, Vals]] = []
        for limit in range(1, max_cost + 1):
            if not want_bool:
                outcome = self._holes(problem, entries, limit, examples, outputs, text,
                                      source, rejected, deadline, ("invertible",))
                if outcome is not None:
                    return outcome
            previous, entries = entries, []
            for e, vals, boolean in enumerate_expressions(problem, examples, constants,
                                                          limit, deadline):
                cost = expr_cost(e)
                if not boolean and len(set(vals)) > 1:
                    entries.append((e, vals))
                if cost != limit or boolean != want_bool or vals != outputs \
                        or str(e) in rejected:
                    continue
                outcome = self._check(problem, e, text, source, rejected)
                if outcome is not None:
                    return outcome
            if time.monotonic() > deadline:
                return None
            outcome = self._holes(problem, previous[:self.solved_holes], limit, examples,
                                  outputs, text, source, rejected, deadline, ("solved",))
            if outcome is not None:
                return outcome
        return None

    def _holes(self, problem: Problem, entries: list[tuple[Expr, Vals]], limit: int,
               examples, outputs, text: str, source: str, rejected: set[str],
               deadline: float, passes: tuple[str, ...]):
        """op(e, C) and op(C, e) of cost exactly `limit`: C read off one
        example for add/sub/xor (then checked on all), solved with z3 for
        the rest."""
        w = problem.width
        m = (1 << w) - 1
        invert = {("add", 1): lambda e0, y0: (y0 - e0) & m, ("sub", 1): lambda e0, y0: (e0 - y0) & m,
                  ("sub", 2): lambda e0, y0: (y0 + e0) & m, ("xor", 1): lambda e0, y0: y0 ^ e0}
        leaf_entries = [(("arg", n), tuple(ex[n] for ex in examples)) for n in problem.args
                        if problem.arg_widths[n] == w]
        pool = leaf_entries if limit == 1 else entries
        if problem.ret_width == 1 and w != 1:
            return self._icmp_holes(problem, pool, limit, examples, outputs, text, source,
                                    rejected, deadline) if "solved" in passes else None
        for pass_ in passes:
            for e, vals in pool:
                for op, weight in BINOPS.items():
                    if time.monotonic() > deadline:
                        return None
                    if expr_cost(e) + weight != limit:
                        continue
                    for side in (1, 2):
                        if side == 2 and op in COMMUTATIVE:
                            continue
                        shape = (op, e, ("hole", "C")) if side == 1 else (op, ("hole", "C"), e)
                        guess = invert.get((op, side))
                        if (guess is not None) != (pass_ == "invertible"):
                            continue
                        if guess is not None:
                            c = guess(vals[0], outputs[0])
                            a_b = (lambda a: (a, c)) if side == 1 else (lambda a: (c, a))
                            if any(concrete_binop(op, *a_b(a), w) != y
                                   for a, y in zip(vals, outputs)):
                                continue
                            concrete = _fill(shape, c, w)
                            if str(concrete) in rejected:
                                continue
                            outcome = self._check(problem, concrete, text, source, rejected)
                        else:
                            outcome = self._solve_constant(problem, shape, examples, outputs,
                                                           text, source, rejected)
                        if outcome is not None:
                            return outcome
        return None

    def _icmp_holes(self, problem: Problem, pool: list[tuple[Expr, Vals]], limit: int,
                    examples, outputs, text: str, source: str, rejected: set[str],
                    deadline: float):
        """icmp pred e, C of cost exactly `limit`, C solved with z3."""
        for e, _vals in pool:
            if expr_cost(e) + 1 != limit:
                continue
            for pred in PREDICATES:
                if time.monotonic() > deadline:
                    return None
                outcome = self._solve_constant(problem, ("icmp", pred, e, ("hole", "C")),
                                               examples, outputs, text, source, rejected)
                if outcome is not None:
                    return outcome
        return None

    def _solve_constant(self, problem: Problem, shape: Expr, examples, outputs, text: str,
                        source: str, rejected: set[str]):
        w = problem.width
        hole = z3.BitVec("C", w)
        s = z3.Solver()
        s.set("timeout", 500)
        widths = problem.arg_widths
        for ex, out in zip(examples, outputs):
            env = {n: z3.BitVecVal(v, widths[n]) for n, v in ex.items()}
            value, poison = smt_expr(shape, {**env, "C": hole}, w)
            s.add(z3.Not(poison), value == out)
        for _ in range(8):
            if s.check() != z3.sat:
                return None
            c = s.model().eval(hole, model_completion=True).as_long()
            concrete = _fill(shape, c, w)
            cex = problem.counterexample(concrete)
            if cex is None:
                return None
            if cex is False:
                return self._check(problem, concrete, text, source, rejected)
            env = {n: z3.BitVecVal(v, widths[n]) for n, v in cex.items()}
            value, poison = smt_expr(shape, {**env, "C": hole}, w)
            s.add(z3.Not(poison), value == problem.output(cex))
        return None

    def _check(self, problem: Problem, e: Expr, text: str, source: str, rejected: set[str]):
        """Counterexample dict, (expr, module) when verify_ir proves it, or
        None when it was rejected for another reason (recorded)."""
        cex = problem.counterexample(e)
        if isinstance(cex, dict):
            return cex
        if cex is None:
            rejected.add(str(e))
            return None
        code = emit_function(problem, e, text)
        verdict = verify_ir(source, code, problem.fn.name, problem.fn.name, self.verify_options)
        if verdict.status is Status.CORRECT:
            return e, code
        rejected.add(str(e))
        return None

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        """A refuted synthesis result: keep its counterexample's inputs as
        examples and search again."""
        cex = verdict.counterexample
        inputs = getattr(cex, "inputs", None) if cex is not None else None
        pairs = inputs.items() if isinstance(inputs, dict) else (inputs or [])
        values = {}
        for name, text in pairs:
            decimal = re.search(r"\((-?\d+)\)", str(text))
            hexa = re.match(r"#x([0-9a-fA-F]+)", str(text))
            if decimal or hexa:
                value = int(decimal.group(1)) if decimal else int(hexa.group(1), 16)
                values[str(name).lstrip("%")] = value
        if not values:
            return []
        self.extra_examples.append(values)
        return self.propose(task)


def _fill(e: Expr, c: int, w: int) -> Expr:
    if e[0] == "hole":
        return ("const", c, w)
    if e[0] in ("arg", "const", "zextarg"):
        return e
    return (e[0], *[_fill(x, c, w) if isinstance(x, tuple) else x for x in e[1:]])
