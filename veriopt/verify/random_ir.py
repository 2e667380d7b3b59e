"""Random integer LLVM IR functions and (source, target) pairs from them, for
differential testing of the verifier against alive-tv.

Everything is drawn from a `random.Random`, so a seed reproduces a pair
exactly (the script and the tests both rely on that; no hypothesis here).

A source function is a small DAG (2-8 instructions) over 1-4 integer
parameters: binary operators with their poison flags, `icmp` (with
`samesign`), `select`, `freeze`, `zext`/`sext`/`trunc` with their flags and
the integer intrinsics, with constants, now and then `undef`/`poison`
operands and `noundef` parameters. Widths favour i8, i4, i1, i16, i32, i64
so that the solvers stay fast.

A target is either the source through `opt-22` (instcombine, sometimes
-O3), renamed to @tgt, or the source with one small mutation (see
`MUTATIONS`). Both are printed into one module with @src, @tgt and the
intrinsic declarations, which is what alive-tv and `veriopt verify` read.
"""
from __future__ import annotations

import copy
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field

BINOPS = ("add", "sub", "mul", "udiv", "sdiv", "urem", "srem",
          "shl", "lshr", "ashr", "and", "or", "xor")
COMMUTATIVE = {"add", "mul", "and", "or", "xor"}
BINOP_FLAGS = {
    "add": ("nuw", "nsw"), "sub": ("nuw", "nsw"), "mul": ("nuw", "nsw"), "shl": ("nuw", "nsw"),
    "udiv": ("exact",), "sdiv": ("exact",), "lshr": ("exact",), "ashr": ("exact",),
    "or": ("disjoint",),
}
CAST_FLAGS = {"zext": ("nneg",), "sext": (), "trunc": ("nuw", "nsw")}
PREDICATES = ("eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle")

# intrinsic -> (number of integer operands, trailing i1 immarg?)
INTRINSICS = {
    "umin": (2, False), "umax": (2, False), "smin": (2, False), "smax": (2, False),
    "abs": (1, True), "ctpop": (1, False), "ctlz": (1, True), "cttz": (1, True),
    "bswap": (1, False), "bitreverse": (1, False), "fshl": (3, False), "fshr": (3, False),
    "uadd.sat": (2, False), "usub.sat": (2, False), "sadd.sat": (2, False),
    "ssub.sat": (2, False), "ushl.sat": (2, False), "sshl.sat": (2, False),
}
COMMUTATIVE_INTRINSICS = {"umin", "umax", "smin", "smax", "uadd.sat", "sadd.sat"}

# main width of a function, weighted: small widths keep the solvers fast
WIDTHS = ((8, 30), (4, 14), (1, 5), (16, 9), (32, 8), (64, 5), (2, 5), (3, 5),
          (5, 3), (6, 2), (7, 2), (12, 2), (24, 1), (33, 1), (48, 1))
PARAM_NAMES = (("x", "y", "z", "w"), ("a", "b", "c", "d"), ("p", "q", "r", "s"))

P_UNDEF = 0.012    # an operand is `undef`
P_POISON = 0.008   # an operand is `poison`


class GeneratorError(Exception):
    """opt-22 rejected or failed on a generated function (a generator bug)."""


# ---- the structured form ----------------------------------------------------

@dataclass
class Operand:
    kind: str          # "val" | "const" | "undef" | "poison"
    width: int
    name: str = ""     # kind "val": the SSA name without '%'
    value: int = 0     # kind "const": the value (any int, printed reduced)

    def text(self) -> str:
        if self.kind == "val":
            return f"%{self.name}"
        if self.kind in ("undef", "poison"):
            return self.kind
        return const_text(self.value, self.width)

    def typed(self) -> str:
        return f"i{self.width} {self.text()}"


@dataclass
class Instr:
    name: str
    op: str                     # binop name, icmp, select, freeze, zext/sext/trunc, call
    width: int                  # result width
    args: list[Operand]
    flags: list[str] = field(default_factory=list)
    pred: str = ""              # icmp
    callee: str = ""            # call: intrinsic base name ("umin", "uadd.sat")
    immarg: bool | None = None  # abs/ctlz/cttz: the trailing i1 flag

    def text(self) -> str:
        fl = "".join(f + " " for f in self.flags)
        a = self.args
        if self.op in BINOPS:
            return f"%{self.name} = {self.op} {fl}i{self.width} {a[0].text()}, {a[1].text()}"
        if self.op == "icmp":
            return f"%{self.name} = icmp {fl}{self.pred} {a[0].typed()}, {a[1].text()}"
        if self.op == "select":
            return f"%{self.name} = select {a[0].typed()}, {a[1].typed()}, {a[2].typed()}"
        if self.op == "freeze":
            return f"%{self.name} = freeze {a[0].typed()}"
        if self.op in CAST_FLAGS:
            return f"%{self.name} = {self.op} {fl}{a[0].typed()} to i{self.width}"
        if self.op == "call":
            ops = [x.typed() for x in a]
            if self.immarg is not None:
                ops.append("i1 " + ("true" if self.immarg else "false"))
            return f"%{self.name} = call i{self.width} {intrinsic_name(self.callee, self.width)}({', '.join(ops)})"
        raise AssertionError(self.op)


@dataclass
class Function:
    params: list[tuple[str, int, bool]]   # (name, width, noundef)
    body: list[Instr]
    ret: Operand
    name: str = "src"

    @property
    def ret_width(self) -> int:
        return self.ret.width

    def text(self, name: str | None = None) -> str:
        ps = ", ".join(f"i{w} {'noundef ' if nu else ''}%{n}" for n, w, nu in self.params)
        lines = [f"define i{self.ret_width} @{name or self.name}({ps}) {{"]
        lines += ["  " + i.text() for i in self.body]
        lines.append(f"  ret {self.ret.typed()}")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def intrinsics(self) -> set[tuple[str, int]]:
        return {(i.callee, i.width) for i in self.body if i.op == "call"}


def intrinsic_name(base: str, width: int) -> str:
    return f"@llvm.{base}.i{width}"


def declaration(base: str, width: int) -> str:
    n, imm = INTRINSICS[base]
    ops = [f"i{width}"] * n + (["i1 immarg"] if imm else [])
    return f"declare i{width} {intrinsic_name(base, width)}({', '.join(ops)})"


def const_text(value: int, width: int) -> str:
    v = value % (1 << width)
    if width == 1:
        return "true" if v else "false"
    if v >= 1 << (width - 1):
        v -= 1 << width
    return str(v)


def module_text(src: Function, tgt_text: str | None = None, extra: str = "",
                header: str = "") -> str:
    """@src, the target function's text (already named @tgt) and every
    intrinsic declaration either side needs that `extra` does not hold."""
    parts = [header] if header else []
    parts.append(src.text("src"))
    parts.append(tgt_text or "")
    declared = set(re.findall(r"^declare [^@]*(@[\w.$-]+)", extra, re.M))
    decls = sorted(declaration(b, w) for b, w in src.intrinsics()
                   if intrinsic_name(b, w) not in declared)
    used = set(re.findall(r"call [^@]*(@llvm\.[\w.]+)", tgt_text or ""))
    for name in sorted(used - declared - {intrinsic_name(b, w) for b, w in src.intrinsics()}):
        m = re.fullmatch(r"@llvm\.([\w.]+)\.i(\d+)", name)
        if m and m.group(1) in INTRINSICS:
            decls.append(declaration(m.group(1), int(m.group(2))))
    text = "\n".join(p.rstrip("\n") + "\n" for p in parts if p)
    if decls:
        text += "\n" + "\n".join(decls) + "\n"
    if extra.strip():
        text += "\n" + extra.strip("\n") + "\n"
    return text


# ---- constants ----------------------------------------------------------------

def random_const(rng: random.Random, width: int, role: str = "any") -> int:
    """An interesting constant of `width` bits. role: "shift" (mostly in
    range), "divisor" (mostly non-zero), "any"."""
    m = 1 << width
    if width == 1:
        return rng.randrange(2)
    if role == "shift":
        r = rng.random()
        if r < 0.9:
            return rng.randrange(width)
        return width if r < 0.96 else rng.randrange(m)
    pick = rng.random()
    if pick < 0.16:
        v = 1
    elif pick < 0.26:
        v = -1
    elif pick < 0.34:
        v = 0 if role != "divisor" else 2
    elif pick < 0.44:
        v = 2
    elif pick < 0.56:
        v = 1 << rng.randrange(width)
    elif pick < 0.62:
        v = (1 << rng.randrange(1, width)) - 1
    elif pick < 0.67:
        v = 1 << (width - 1)                 # signed minimum
    elif pick < 0.72:
        v = (1 << (width - 1)) - 1           # signed maximum
    elif pick < 0.86:
        v = rng.randrange(3, 8) * rng.choice((1, -1))
    else:
        v = rng.randrange(m)
    if role == "divisor" and v % m == 0:
        v = 3
    return v % m


# ---- the generator -------------------------------------------------------------

def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    r = rng.uniform(0, total)
    for item, w in pairs:
        r -= w
        if r <= 0:
            return item
    return pairs[-1][0]


class _Builder:
    def __init__(self, rng: random.Random, width: int):
        self.rng = rng
        self.W = width
        self.values: list[Operand] = []     # parameters and results, in order
        self.uses: dict[str, int] = {}
        self.body: list[Instr] = []

    def add_value(self, name: str, width: int) -> None:
        self.values.append(Operand("val", width, name))
        self.uses[name] = 0

    def pick(self, width: int | None = None, exclude: str | None = None) -> Operand | None:
        pool = [v for v in self.values if (width is None or v.width == width) and v.name != exclude]
        if not pool:
            return None
        unused = [v for v in pool if self.uses[v.name] == 0]
        if unused and self.rng.random() < 0.75:
            v = self.rng.choice(unused)
        elif self.rng.random() < 0.5:
            v = pool[-1 - min(int(self.rng.expovariate(0.7)), len(pool) - 1)]   # recent ones
        else:
            v = self.rng.choice(pool)
        return v

    def use(self, op: Operand) -> Operand:
        if op.kind == "val":
            self.uses[op.name] += 1
        return Operand(op.kind, op.width, op.name, op.value)

    def operand(self, width: int, role: str = "any", p_value: float = 0.55,
                exclude: str | None = None) -> Operand:
        r = self.rng.random()
        if r < P_UNDEF and width <= 16:    # wide undefs make the quantified queries slow
            return Operand("undef", width)
        if P_UNDEF <= r < P_UNDEF + P_POISON:
            return Operand("poison", width)
        if self.rng.random() < p_value:
            v = self.pick(width, exclude)
            if v is not None:
                return self.use(v)
        return Operand("const", width, value=random_const(self.rng, width, role))

    def flags(self, names, p: float) -> list[str]:
        return [f for f in names if self.rng.random() < p]

    # one instruction whose first operand is `a`
    def instr(self, name: str, a: Operand) -> Instr:
        rng, w = self.rng, a.width
        i1s = [v for v in self.values if v.width == 1 and v.name != a.name]
        choices = [("binop", 40), ("icmp", 11), ("intrinsic", 17), ("cast", 9), ("freeze", 4),
                   ("select", 9 if (w == 1 or i1s) else 0)]
        if w == 1:
            choices = [("binop", 25), ("select", 25), ("cast", 25), ("icmp", 4), ("freeze", 5),
                       ("intrinsic", 3)]
        kind = _weighted(rng, choices)
        a = self.use(a)
        if kind == "binop":
            if w == 1:
                op = _weighted(rng, [("and", 5), ("or", 5), ("xor", 5), ("add", 1), ("sub", 1),
                                     ("mul", 1), ("udiv", 1), ("shl", 1), ("lshr", 1), ("ashr", 1)])
            else:
                op = _weighted(rng, [("add", 10), ("sub", 7), ("mul", 6), ("udiv", 3), ("sdiv", 3),
                                     ("urem", 2), ("srem", 2), ("shl", 6), ("lshr", 5), ("ashr", 5),
                                     ("and", 7), ("or", 7), ("xor", 7)])
            role = ("shift" if op in ("shl", "lshr", "ashr")
                    else "divisor" if op in ("udiv", "sdiv", "urem", "srem") else "any")
            b = self.operand(w, role, p_value=0.45 if role == "any" else 0.3,
                             exclude=a.name if rng.random() < 0.85 else None)
            args = [a, b]
            if op in COMMUTATIVE and b.kind == "val" and rng.random() < 0.5:
                args = [b, a]
            elif op not in COMMUTATIVE and rng.random() < 0.2 and role == "any":
                args = [b, a]
            return Instr(name, op, w, args, self.flags(BINOP_FLAGS.get(op, ()), 0.25))
        if kind == "icmp":
            pred = rng.choice(PREDICATES)
            b = self.operand(w, p_value=0.5, exclude=a.name)
            fl = ["samesign"] if rng.random() < (0.2 if pred not in ("eq", "ne") else 0.05) else []
            args = [a, b] if rng.random() < 0.8 else [b, a]
            return Instr(name, "icmp", 1, args, fl, pred=pred)
        if kind == "select":
            if w == 1:
                t = self.pick(self.W) if rng.random() < 0.8 else self.pick()
                tw = t.width if t is not None else self.W
                x = self.use(t) if t is not None else self.operand(tw)
                y = self.operand(tw, p_value=0.5)
                args = [a, x, y] if rng.random() < 0.5 else [a, y, x]
                return Instr(name, "select", tw, args)
            c = self.use(rng.choice(i1s))
            b = self.operand(w, p_value=0.5, exclude=a.name)
            args = [c, a, b] if rng.random() < 0.5 else [c, b, a]
            return Instr(name, "select", w, args)
        if kind == "freeze":
            return Instr(name, "freeze", w, [a])
        if kind == "cast":
            wider = [v for v, _ in WIDTHS if v > w]
            narrower = [v for v, _ in WIDTHS if v < w]
            if self.W > w:
                to, op = self.W, rng.choice(("zext", "sext"))
            elif w > self.W and rng.random() < 0.7:
                to, op = self.W, "trunc"
            elif narrower and (not wider or rng.random() < 0.5):
                to = 1 if rng.random() < 0.3 else rng.choice(narrower)
                op = "trunc"
            else:
                to = min(64, w * 2) if rng.random() < 0.6 else rng.choice(wider)
                op = rng.choice(("zext", "sext"))
            return Instr(name, op, to, [a], self.flags(CAST_FLAGS[op], 0.2))
        # intrinsic
        names = [n for n in INTRINSICS if n != "bswap" or w % 16 == 0]
        base = rng.choice(names)
        n, imm = INTRINSICS[base]
        role = "shift" if base in ("ushl.sat", "sshl.sat", "fshl", "fshr") else "any"
        args = [a] + [self.operand(w, role if k == n - 1 else "any", p_value=0.5)
                      for k in range(1, n)]
        if n == 2 and base in COMMUTATIVE_INTRINSICS and rng.random() < 0.3:
            args.reverse()
        return Instr(name, "call", w, args, callee=base,
                     immarg=(rng.random() < 0.5) if imm else None)


def random_function(rng: random.Random, min_instrs: int = 2, max_instrs: int = 8) -> Function:
    """A random integer function named @src, of min_instrs..max_instrs
    instructions (nearly always all of them live)."""
    for _ in range(50):
        fn = _random_function(rng, max_instrs)
        if rng.random() < 0.92:
            prune(fn)
        if len(fn.body) >= min_instrs:
            return fn
    return fn


def _random_function(rng: random.Random, max_instrs: int) -> Function:
    W = _weighted(rng, WIDTHS)
    names = rng.choice(PARAM_NAMES)
    nparams = _weighted(rng, [(1, 25), (2, 40), (3, 25), (4, 10)])
    b = _Builder(rng, W)
    params = []
    for k in range(nparams):
        if k == 0:
            pw = W
        else:
            pw = _weighted(rng, [(W, 70), (1, 15), (None, 15)])
            if pw is None:
                pw = _weighted(rng, [(v, c) for v, c in WIDTHS if v != W])
        # undef inputs of wide types make alive-tv's quantified queries slow
        params.append((names[k], pw, rng.random() < (0.25 if pw <= 16 else 0.85)))
        b.add_value(names[k], pw)
    count = min(max_instrs, _weighted(
        rng, [(2, 6), (3, 12), (4, 18), (5, 20), (6, 16), (7, 14), (8, 14)]))
    for k in range(count):
        # prefer values of the main width as the first operand, unused ones first
        a = b.pick(W) if rng.random() < 0.7 else b.pick()
        if a is None:
            a = b.pick()
        ins = b.instr(f"t{k}", a)
        b.body.append(ins)
        b.add_value(ins.name, ins.width)
    ret = Operand("val", b.body[-1].width, b.body[-1].name)
    return Function(params, b.body, ret)


def prune(fn: Function) -> None:
    """Drop the instructions the returned value does not depend on."""
    live = {fn.ret.name} if fn.ret.kind == "val" else set()
    for ins in reversed(fn.body):
        if ins.name in live:
            live |= {a.name for a in ins.args if a.kind == "val"}
    fn.body = [ins for ins in fn.body if ins.name in live]


# ---- targets: opt ---------------------------------------------------------------

_OPT: list[str | None] = []


def find_opt() -> str | None:
    if not _OPT:
        _OPT.append(shutil.which("opt-22") or shutil.which("opt"))
    return _OPT[0]


def run_opt(text: str, passes: str, opt: str | None = None, timeout: float = 30.0) -> str:
    """`opt -S` with the given pipeline (`instcombine`, `O3`, `verify`)."""
    exe = opt or find_opt()
    if exe is None:
        raise GeneratorError("opt-22 not found")
    flag = f"-passes={passes}" if not passes.startswith("O") else f"-{passes}"
    try:
        proc = subprocess.run([exe, flag, "-S", "-"], input=text, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GeneratorError(f"opt {flag} took more than {timeout:.0f}s") from None
    if proc.returncode != 0:
        raise GeneratorError(f"opt {flag} failed: {proc.stderr.strip()[:500]}")
    return proc.stdout


def verify_with_opt(text: str, opt: str | None = None) -> str | None:
    """LLVM's verifier on a module: None if valid, else its message."""
    exe = opt or find_opt()
    if exe is None:
        return None
    proc = subprocess.run([exe, "-passes=verify", "-disable-output", "-"], input=text,
                          capture_output=True, text=True, timeout=30)
    return None if proc.returncode == 0 else (proc.stderr.strip() or "rejected")


def split_opt_output(text: str, fn: str = "src") -> tuple[str, str]:
    """(the definition of @fn, the rest that matters: declarations and
    attribute groups), from opt's printing of a module."""
    m = re.search(rf"^define [^\n]*@{fn}\(.*?^\}}\n", text, re.M | re.S)
    if not m:
        raise GeneratorError(f"no @{fn} in opt's output")
    rest = [ln for ln in text[m.end():].splitlines() + text[:m.start()].splitlines()
            if ln.startswith(("declare ", "attributes "))]
    return m.group(0), "\n".join(rest)


def _body_lines(fn_text: str) -> list[str]:
    lines = [ln.strip() for ln in fn_text.splitlines()[1:]]
    return [ln for ln in lines if ln and ln != "}" and not ln.startswith(";")
            and not re.fullmatch(r"[\w.]+:", ln)]


# ---- targets: mutations ------------------------------------------------------------

NEAR_PREDICATES = {
    "eq": ("ne", "ule", "uge", "sle"), "ne": ("eq", "ugt", "ult", "sgt"),
    "ugt": ("uge", "ult", "sgt", "ne"), "uge": ("ugt", "ule", "sge", "eq"),
    "ult": ("ule", "ugt", "slt", "ne"), "ule": ("ult", "uge", "sle", "eq"),
    "sgt": ("sge", "slt", "ugt", "ne"), "sge": ("sgt", "sle", "uge", "eq"),
    "slt": ("sle", "sgt", "ult", "ne"), "sle": ("slt", "sge", "ule", "eq"),
}
SIMILAR_OPS = {
    "add": ("or", "xor", "sub"), "sub": ("add", "xor"), "or": ("add", "xor", "and"),
    "xor": ("or", "add", "sub"), "and": ("or", "xor"), "lshr": ("ashr",), "ashr": ("lshr",),
    "udiv": ("sdiv", "lshr", "urem"), "sdiv": ("udiv", "ashr", "srem"),
    "urem": ("srem", "and"), "srem": ("urem",), "shl": ("mul",), "mul": ("shl",),
    "zext": ("sext",), "sext": ("zext",),
}
SIMILAR_INTRINSICS = {
    "umin": ("smin", "umax"), "smin": ("umin", "smax"), "umax": ("smax", "umin"),
    "smax": ("umax", "smin"), "uadd.sat": ("sadd.sat",), "sadd.sat": ("uadd.sat",),
    "usub.sat": ("ssub.sat",), "ssub.sat": ("usub.sat",), "ushl.sat": ("sshl.sat",),
    "sshl.sat": ("ushl.sat",), "ctlz": ("cttz",), "cttz": ("ctlz",), "fshl": ("fshr",),
    "fshr": ("fshl",), "bswap": ("bitreverse",), "bitreverse": ("bswap", "ctpop"),
    "ctpop": ("bitreverse",),
}
NONCOMMUTATIVE_INTRINSICS = {"usub.sat", "ssub.sat", "ushl.sat", "sshl.sat", "fshl", "fshr"}


def _users(fn: Function, name: str) -> list[tuple[Instr | None, int]]:
    out: list[tuple[Instr | None, int]] = []
    for ins in fn.body:
        out += [(ins, k) for k, a in enumerate(ins.args) if a.kind == "val" and a.name == name]
    if fn.ret.kind == "val" and fn.ret.name == name:
        out.append((None, 0))
    return out


def _fresh(fn: Function, base: str) -> str:
    taken = {n for n, _, _ in fn.params} | {i.name for i in fn.body}
    k = 0
    while f"{base}{k}" in taken:
        k += 1
    return f"{base}{k}"


def _m_swap(fn, rng):
    cands = []
    for ins in fn.body:
        if ins.op in BINOPS and ins.op not in COMMUTATIVE:
            cands.append((ins, 0, 1))
        elif ins.op == "icmp" and ins.pred not in ("eq", "ne"):
            cands.append((ins, 0, 1))
        elif ins.op == "select":
            cands.append((ins, 1, 2))
        elif ins.op == "call" and ins.callee in NONCOMMUTATIVE_INTRINSICS:
            cands.append((ins, 0, 1))
    cands = [c for c in cands if c[0].args[c[1]].text() != c[0].args[c[2]].text()]
    if not cands:
        return None
    ins, i, j = rng.choice(cands)
    ins.args[i], ins.args[j] = ins.args[j], ins.args[i]
    return f"swap operands of %{ins.name} ({ins.op if ins.op != 'call' else ins.callee})"


def _flags_of(ins: Instr) -> tuple[str, ...]:
    if ins.op in BINOP_FLAGS:
        return BINOP_FLAGS[ins.op]
    if ins.op in CAST_FLAGS:
        return CAST_FLAGS[ins.op]
    if ins.op == "icmp":
        return ("samesign",)
    return ()


def _m_drop_flag(fn, rng):
    cands = [(ins, f) for ins in fn.body for f in ins.flags]
    if not cands:
        return None
    ins, f = rng.choice(cands)
    ins.flags.remove(f)
    return f"drop {f} from %{ins.name}"


def _m_add_flag(fn, rng):
    cands = [(ins, f) for ins in fn.body for f in _flags_of(ins) if f not in ins.flags]
    cands = [(ins, f) for ins, f in cands if not (ins.op == "trunc" and ins.width == 1 and f == "nsw")]
    if not cands:
        return None
    ins, f = rng.choice(cands)
    order = _flags_of(ins)
    ins.flags = [g for g in order if g in ins.flags or g == f]
    return f"add {f} to %{ins.name}"


def _m_const(fn, rng):
    cands = [(ins, k) for ins in fn.body for k, a in enumerate(ins.args) if a.kind == "const"]
    if not cands:
        return None
    ins, k = rng.choice(cands)
    a = ins.args[k]
    m = 1 << a.width
    old = a.value % m
    options = {(old + 1) % m, (old - 1) % m, 0, m - 1, 1 << rng.randrange(a.width)}
    options.discard(old)
    if not options:
        return None
    new = rng.choice(sorted(options))
    ins.args[k] = Operand("const", a.width, value=new)
    return (f"constant {const_text(old, a.width)} -> {const_text(new, a.width)} "
            f"in %{ins.name}")


def _m_pred(fn, rng):
    cands = [ins for ins in fn.body if ins.op == "icmp"]
    if not cands:
        return None
    ins = rng.choice(cands)
    old = ins.pred
    ins.pred = rng.choice(NEAR_PREDICATES[old]) if rng.random() < 0.8 else \
        rng.choice([p for p in PREDICATES if p != old])
    if ins.pred in ("eq", "ne") and "samesign" in ins.flags and rng.random() < 0.5:
        ins.flags.remove("samesign")
    return f"icmp {old} -> {ins.pred} in %{ins.name}"


def _value_uses(fn):
    return [(ins, k) for ins in fn.body for k, a in enumerate(ins.args) if a.kind == "val"]


def _m_undef(fn, rng):
    cands = [(ins, k) for ins, k in _value_uses(fn) if ins.args[k].width <= 16]
    if not cands:
        return None
    ins, k = rng.choice(cands)
    old = ins.args[k].text()
    ins.args[k] = Operand("undef", ins.args[k].width)
    return f"use of {old} in %{ins.name} -> undef"


def _m_freeze(fn, rng):
    cands = _value_uses(fn) + ([(None, 0)] if fn.ret.kind == "val" else [])
    if not cands:
        return None
    ins, k = rng.choice(cands)
    a = ins.args[k] if ins is not None else fn.ret
    fz = Instr(_fresh(fn, "fr"), "freeze", a.width, [Operand("val", a.width, a.name)])
    if ins is None:
        fn.body.append(fz)
        fn.ret = Operand("val", a.width, fz.name)
        return f"freeze the returned %{a.name}"
    fn.body.insert(fn.body.index(ins), fz)
    ins.args[k] = Operand("val", a.width, fz.name)
    return f"use of %{a.name} in %{ins.name} -> freeze"


def _m_drop_freeze(fn, rng):
    cands = [ins for ins in fn.body if ins.op == "freeze"]
    if not cands:
        return None
    fz = rng.choice(cands)
    src = fz.args[0]
    for user, k in _users(fn, fz.name):
        if user is None:
            fn.ret = Operand(src.kind, src.width, src.name, src.value)
        else:
            user.args[k] = Operand(src.kind, src.width, src.name, src.value)
    fn.body.remove(fz)
    return f"drop freeze %{fz.name}"


def _m_opcode(fn, rng):
    cands = [ins for ins in fn.body
             if ins.op in SIMILAR_OPS or (ins.op == "call" and ins.callee in SIMILAR_INTRINSICS)]
    if not cands:
        return None
    ins = rng.choice(cands)
    if ins.op == "call":
        old = ins.callee
        new = rng.choice([c for c in SIMILAR_INTRINSICS[old]
                          if c != "bswap" or ins.width % 16 == 0] or [old])
        if new == old:
            return None
        n_old, _ = INTRINSICS[old]
        n_new, imm = INTRINSICS[new]
        if n_new != n_old:
            return None
        ins.callee = new
        ins.immarg = (ins.immarg if ins.immarg is not None else rng.random() < 0.5) if imm else None
        return f"{old} -> {new} in %{ins.name}"
    old = ins.op
    new = rng.choice(SIMILAR_OPS[old])
    if new in ("lshr", "ashr") and old in ("udiv", "sdiv"):
        # x / 2^k vs x >> k: keep it meaningful by making the shift amount a log
        b = ins.args[1]
        if b.kind != "const" or b.value % (1 << b.width) == 0:
            return None
        v = b.value % (1 << b.width)
        ins.args[1] = Operand("const", b.width, value=max(v.bit_length() - 1, 0))
    if new == "and" and old == "urem":
        b = ins.args[1]
        if b.kind != "const":
            return None
        ins.args[1] = Operand("const", b.width, value=(b.value - 1) % (1 << b.width))
    if new == "shl" and old == "mul":
        b = ins.args[1]
        if b.kind != "const":
            return None
        v = b.value % (1 << b.width)
        ins.args[1] = Operand("const", b.width, value=max(v.bit_length() - 1, 0))
    if new == "mul" and old == "shl":
        b = ins.args[1]
        if b.kind != "const" or b.value % (1 << b.width) >= b.width:
            return None
        ins.args[1] = Operand("const", b.width, value=1 << (b.value % (1 << b.width)))
    ins.op = new
    ins.flags = [f for f in ins.flags if f in _flags_of(ins)]
    if old == "or" and "disjoint" in ins.flags:
        ins.flags.remove("disjoint")
    return f"{old} -> {new} in %{ins.name}"


def _m_dup_use(fn, rng):
    """`mul x, 2` -> `add x, x`, `shl x, k` -> k doublings starting from
    `add x, x`, `add x, x` -> `mul x, 2`, or `op x, y` -> `op x, x`: the
    same value used more often (wrong where x may be undef)."""
    special = []
    for ins in fn.body:
        if ins.op in ("mul", "shl") and ins.args[0].kind == "val" and ins.args[1].kind == "const":
            v = ins.args[1].value % (1 << ins.width)
            k = v if ins.op == "shl" else (v.bit_length() - 1 if v and v & (v - 1) == 0 else 0)
            if 1 <= k <= 3 and k < ins.width:
                special.append((ins, k))
        if ins.op == "add" and ins.args[0].kind == "val" and ins.args[0].text() == ins.args[1].text():
            special.append((ins, 0))
    if special and rng.random() < 0.85:
        ins, k = rng.choice(special)
        x = ins.args[0]
        if k == 0:
            op, c = rng.choice((("mul", 2), ("shl", 1)))
            ins.op, ins.args = op, [x, Operand("const", ins.width, value=c)]
            ins.flags = [f for f in ins.flags if f in BINOP_FLAGS[op]]
            return f"add %{x.name}, %{x.name} -> {op} %{x.name}, {c} in %{ins.name}"
        old = f"{ins.op} %{x.name}, {ins.args[1].text()}"
        flags = [f for f in ins.flags if f in BINOP_FLAGS["add"]]
        cur = copy.copy(x)
        at = fn.body.index(ins)
        for step in range(k - 1):
            d = Instr(_fresh(fn, "dbl"), "add", ins.width, [copy.copy(cur), copy.copy(cur)], list(flags))
            fn.body.insert(at, d)
            at += 1
            cur = Operand("val", ins.width, d.name)
        ins.op, ins.args, ins.flags = "add", [copy.copy(cur), copy.copy(cur)], flags
        how = f"add %{x.name}, %{x.name}" if k == 1 else f"{k} doublings (add %v, %v)"
        return f"{old} -> {how} in %{ins.name}"
    cands = [(ins, i, j) for ins in fn.body for i in range(len(ins.args))
             for j in range(len(ins.args))
             if i != j and ins.args[i].kind == "val" and ins.args[i].width == ins.args[j].width
             and ins.args[i].text() != ins.args[j].text() and not (ins.op == "select" and 0 in (i, j))]
    if not cands:
        return None
    ins, i, j = rng.choice(cands)
    old = ins.args[j].text()
    ins.args[j] = copy.copy(ins.args[i])
    return f"{old} in %{ins.name} -> {ins.args[i].text()} (the same value used twice)"


def rename_params(fn: Function, rng: random.Random) -> str | None:
    """Permute the parameter names (a no-op for refinement, which matches
    parameters by position): src (%x, %y) vs tgt (%y, %x)."""
    if len(fn.params) < 2:
        return None
    names = [n for n, _, _ in fn.params]
    perm = names[:]
    while perm == names:
        rng.shuffle(perm)
    mapping = dict(zip(names, perm))
    fn.params = [(mapping[n], w, nu) for n, w, nu in fn.params]
    for ins in fn.body:
        for a in ins.args:
            if a.kind == "val" and a.name in mapping:
                a.name = mapping[a.name]
    if fn.ret.kind == "val" and fn.ret.name in mapping:
        fn.ret.name = mapping[fn.ret.name]
    return "parameters renamed " + ", ".join(f"%{a}->%{b}" for a, b in mapping.items())


def rename_params_text(fn_text: str, params: list[str], rng: random.Random) -> tuple[str, str] | None:
    """rename_params on a function's text (for opt's output)."""
    if len(params) < 2:
        return None
    perm = params[:]
    while perm == params:
        rng.shuffle(perm)
    mapping = dict(zip(params, perm))
    pat = re.compile(r"%(" + "|".join(map(re.escape, params)) + r")(?![\w.$-])")
    return (pat.sub(lambda m: "%" + mapping[m.group(1)], fn_text),
            "parameters renamed " + ", ".join(f"%{a}->%{b}" for a, b in mapping.items()))


def swap_param_names(fn: Function, rng: random.Random) -> str | None:
    """Swap the names of two parameters of one type in the signature only:
    the body now reads them the other way round (wrong unless symmetric,
    and invisible to a checker that pairs parameters by name)."""
    idx = [(i, j) for i in range(len(fn.params)) for j in range(i + 1, len(fn.params))
           if fn.params[i][1] == fn.params[j][1]]
    if not idx:
        return None
    i, j = rng.choice(idx)
    (a, wa, na), (b, wb, nb) = fn.params[i], fn.params[j]
    fn.params[i], fn.params[j] = (b, wa, na), (a, wb, nb)
    return f"parameter names %{a} and %{b} swapped in the signature only"


MUTATIONS = {   # name: (function, weight); weights keep alive-tv's verdicts mixed
    "swap": (_m_swap, 12), "drop-flag": (_m_drop_flag, 4), "add-flag": (_m_add_flag, 10),
    "constant": (_m_const, 12), "predicate": (_m_pred, 10), "undef-use": (_m_undef, 7),
    "freeze-use": (_m_freeze, 3), "drop-freeze": (_m_drop_freeze, 6), "opcode": (_m_opcode, 12),
    "dup-use": (_m_dup_use, 10), "rename-params": (rename_params, 2),
    "swap-param-names": (swap_param_names, 4),
}


def mutate(fn: Function, rng: random.Random, kind: str | None = None) -> tuple[Function, str] | None:
    """A copy of `fn` with one small mutation, or None if none applies."""
    for _ in range(12):
        k = kind or _weighted(rng, [(n, w) for n, (_, w) in MUTATIONS.items()])
        g = copy.deepcopy(fn)
        desc = MUTATIONS[k][0](g, rng)
        if desc is not None and g.text("tgt") != fn.text("tgt"):
            if k != "rename-params" and rng.random() < 0.1:
                extra = rename_params(g, rng)
                if extra:
                    desc += "; " + extra
            return g, f"{k}: {desc}"
    return None


# ---- pairs ----------------------------------------------------------------------

@dataclass
class Pair:
    seed: str               # what reproduces it: "<seed>:<index>"
    kind: str               # "instcombine" | "O3" | "mutation" | "unchanged"
    description: str
    src: Function
    text: str               # the module: @src, @tgt, declarations

    @property
    def is_opt(self) -> bool:
        return self.kind in ("instcombine", "O3", "unchanged")


def pair_seed(seed: int | str, index: int) -> str:
    return f"{seed}:{index}"


def random_pair(rng: random.Random, seed: str = "", p_opt: float = 0.3,
                keep_unchanged: float = 0.1, opt: str | None = None) -> Pair:
    """A source function and a target: opt's result (probability p_opt, when
    opt-22 exists) or a mutation of the source."""
    for _ in range(20):
        src = random_function(rng)
        if rng.random() < p_opt and (opt or find_opt()):
            passes = "O3" if rng.random() < 0.2 else "instcombine"
            out = run_opt(module_text(src), passes, opt)
            fn_text, extra = split_opt_output(out, "src")
            unchanged = _body_lines(fn_text) == _body_lines(src.text())
            if unchanged and rng.random() >= keep_unchanged:
                res = mutate(src, rng)
                if res is None:
                    continue
                tgt, desc = res
                return Pair(seed, "mutation", desc, src, module_text(src, tgt.text("tgt")))
            tgt_text = re.sub(r"@src\(", "@tgt(", fn_text, count=1)
            desc = f"opt -{passes if passes == 'O3' else 'passes=' + passes}"
            if rng.random() < 0.1:
                renamed = rename_params_text(tgt_text, [n for n, _, _ in src.params], rng)
                if renamed:
                    tgt_text, extra_desc = renamed
                    desc += "; " + extra_desc
            return Pair(seed, "unchanged" if unchanged else passes, desc, src,
                        module_text(src, tgt_text, extra))
        res = mutate(src, rng)
        if res is None:
            continue
        tgt, desc = res
        return Pair(seed, "mutation", desc, src, module_text(src, tgt.text("tgt")))
    raise GeneratorError("no applicable target in 20 attempts")


def pair_for(seed: int | str, index: int, **kw) -> Pair:
    """Pair number `index` of the run with `seed` (reproducible)."""
    s = pair_seed(seed, index)
    return random_pair(random.Random(s), s, **kw)
