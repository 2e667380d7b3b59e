"""The structured form of a random memory function: pointer and integer
operands, the memory instructions (alloca, load, store, getelementptr,
memset/memcpy/memmove, pointer icmp/select/phi) with a little integer
arithmetic, functions of one block or a diamond, module globals, and their
printing as one module with @src, @tgt, the globals and the declarations
(what alive-tv and `veriopt verify` read).

Kept apart from model.py (integers) and fp_model.py so that neither of
those streams changes when this one does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from veriopt.verify.random_ir.model import const_text

MEM_INTRINSICS = {
    "memset": "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1 immarg)",
    "memcpy": "declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1 immarg)",
    "memmove": "declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1 immarg)",
}
INT_BINOPS = ("add", "sub", "xor", "and", "or", "mul")
MEM_OPS = ("store", "memset", "memcpy", "memmove")   # instructions that write memory


def is_int(ty: str) -> bool:
    return bool(re.fullmatch(r"i\d+", ty))


def is_vec(ty: str) -> bool:
    return ty.startswith("<")


def vec_shape(ty: str) -> tuple[int, int]:
    """(lanes, lane width) of "<N x iM>"."""
    m = re.fullmatch(r"<(\d+) x i(\d+)>", ty)
    assert m, ty
    return int(m.group(1)), int(m.group(2))


def bits_of(ty: str) -> int:
    if is_vec(ty):
        n, w = vec_shape(ty)
        return n * w
    return int(ty[1:])


def store_size(ty: str) -> int:
    """Bytes a load/store of `ty` touches (vectors: whole bytes only here)."""
    return (bits_of(ty) + 7) // 8


def alloc_size(ty: str) -> int:
    """Allocation size of an alloca/global type: iN or [N x iM]."""
    m = re.fullmatch(r"\[(\d+) x i(\d+)\]", ty)
    if m:
        return int(m.group(1)) * _abi_size(int(m.group(2)))
    return _abi_size(int(ty[1:]))


def _abi_size(width: int) -> int:
    size = (width + 7) // 8
    return 1 << (size - 1).bit_length()


@dataclass
class MOperand:
    kind: str          # "val" | "const" | "global" | "null" | "undef" | "poison"
    ty: str            # "ptr", "iN", "<N x iM>"
    name: str = ""     # "val": SSA name; "global": the global's name
    value: int = 0     # "const": the bits (vectors: lane 0 in the low bits)

    def text(self) -> str:
        if self.kind == "val":
            return f"%{self.name}"
        if self.kind == "global":
            return f"@{self.name}"
        if self.kind in ("null", "undef", "poison"):
            return self.kind
        if is_vec(self.ty):
            n, w = vec_shape(self.ty)
            lanes = [const_text(self.value >> (k * w), w) for k in range(n)]
            return "<" + ", ".join(f"i{w} {x}" for x in lanes) + ">"
        return const_text(self.value, bits_of(self.ty))

    def typed(self) -> str:
        return f"{self.ty} {self.text()}"


@dataclass
class MInstr:
    name: str                   # "" for store and the memory intrinsics
    op: str                     # alloca load store gep memset memcpy memmove icmp select phi
                                # zext sext trunc bitcast, or an INT_BINOPS name
    ty: str                     # result type (store: the stored type; alloca/gep: "ptr")
    args: list[MOperand]
    align: int = 0              # load/store/alloca; memset/memcpy: the dest's align attribute
    flags: list[str] = field(default_factory=list)   # gep: inbounds nuw
    elem: str = ""              # alloca/gep: the type allocated / indexed
    pred: str = ""              # icmp
    size: int = 0               # memset/memcpy/memmove: constant length
    labels: list[str] = field(default_factory=list)  # phi: the incoming blocks

    def text(self) -> str:
        a = self.args
        lhs = f"%{self.name} = "
        al = f", align {self.align}" if self.align else ""
        if self.op == "alloca":
            return f"{lhs}alloca {self.elem}{al}"
        if self.op == "load":
            return f"{lhs}load {self.ty}, ptr {a[0].text()}{al}"
        if self.op == "store":
            return f"store {a[0].typed()}, ptr {a[1].text()}{al}"
        if self.op == "gep":
            fl = "".join(f + " " for f in ("inbounds", "nuw") if f in self.flags)
            idx = "".join(f", {x.typed()}" for x in a[1:])
            return f"{lhs}getelementptr {fl}{self.elem}, ptr {a[0].text()}{idx}"
        if self.op == "memset":
            dst = f"ptr align {self.align} " if self.align else "ptr "
            return (f"call void @llvm.memset.p0.i64({dst}{a[0].text()}, i8 {a[1].text()}, "
                    f"i64 {self.size}, i1 false)")
        if self.op in ("memcpy", "memmove"):
            dst = f"ptr align {self.align} " if self.align else "ptr "
            return (f"call void @llvm.{self.op}.p0.p0.i64({dst}{a[0].text()}, ptr {a[1].text()}, "
                    f"i64 {self.size}, i1 false)")
        if self.op == "icmp":
            return f"{lhs}icmp {self.pred} {a[0].typed()}, {a[1].text()}"
        if self.op == "select":
            return f"{lhs}select {a[0].typed()}, {a[1].typed()}, {a[2].typed()}"
        if self.op == "phi":
            inc = ", ".join(f"[ {x.text()}, %{lb} ]" for x, lb in zip(a, self.labels))
            return f"{lhs}phi {self.ty} {inc}"
        if self.op in ("zext", "sext", "trunc", "bitcast"):
            return f"{lhs}{self.op} {a[0].typed()} to {self.ty}"
        if self.op in INT_BINOPS:
            return f"{lhs}{self.op} {self.ty} {a[0].text()}, {a[1].text()}"
        raise AssertionError(self.op)


@dataclass
class MBlock:
    label: str
    body: list[MInstr]
    term: tuple   # ("ret", MOperand | None) | ("br", MOperand, l1, l2) | ("jmp", l)

    def term_text(self) -> str:
        t = self.term
        if t[0] == "ret":
            return f"ret {t[1].typed()}" if t[1] is not None else "ret void"
        if t[0] == "br":
            return f"br {t[1].typed()}, label %{t[2]}, label %{t[3]}"
        return f"br label %{t[1]}"


@dataclass
class MGlobal:
    name: str
    ty: str            # iN or [N x iM]
    init: str          # initializer text
    constant: bool
    align: int

    def text(self) -> str:
        kind = "constant" if self.constant else "global"
        return f"@{self.name} = {kind} {self.ty} {self.init}, align {self.align}"


@dataclass
class MFunction:
    params: list[tuple[str, str, list[str]]]   # (name, type, attributes)
    blocks: list[MBlock]
    ret_ty: str                                 # "void", "ptr", "iN"
    globals: list[MGlobal] = field(default_factory=list)
    name: str = "src"

    def text(self, name: str | None = None) -> str:
        ps = ", ".join(f"{t} {''.join(a + ' ' for a in at)}%{n}" for n, t, at in self.params)
        lines = [f"define {self.ret_ty} @{name or self.name}({ps}) {{"]
        for k, b in enumerate(self.blocks):
            if k:
                lines.append(f"{b.label}:")
            lines += ["  " + i.text() for i in b.body]
            lines.append("  " + b.term_text())
        lines.append("}")
        return "\n".join(lines) + "\n"

    def instrs(self) -> list[MInstr]:
        return [i for b in self.blocks for i in b.body]

    def intrinsics(self) -> set[str]:
        return {i.op for i in self.instrs() if i.op in MEM_INTRINSICS}


def mem_module_text(src: MFunction, tgt_text: str | None = None, extra: str = "") -> str:
    """The globals, @src, the target's text (named @tgt) and the memory
    intrinsic declarations either side needs that `extra` does not hold."""
    declared = set(re.findall(r"^declare [^@]*@llvm\.(\w+)\.", extra, re.M))
    used = src.intrinsics() | set(re.findall(r"call void @llvm\.(memset|memcpy|memmove)\.",
                                              tgt_text or ""))
    decls = [MEM_INTRINSICS[k] for k in sorted(used - declared)]
    text = "".join(g.text() + "\n" for g in src.globals)
    if src.globals:
        text += "\n"
    text += src.text("src") + "\n" + (tgt_text or "").rstrip("\n") + "\n"
    if decls:
        text += "\n" + "\n".join(decls) + "\n"
    if extra.strip():
        text += "\n" + extra.strip("\n") + "\n"
    return text
