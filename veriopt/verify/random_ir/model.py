"""The structured form of a random function: the IR vocabulary the generator
draws from, `Operand`/`Instr`/`Function`, and their printing as one module
with @src, @tgt and the intrinsic declarations (what alive-tv and
`veriopt verify` read).
"""
from __future__ import annotations

import re
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


class GeneratorError(Exception):
    """opt-22 rejected or failed on a generated function (a generator bug)."""


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
