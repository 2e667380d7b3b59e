"""The structured form of a random floating-point function: types (half,
float, double beside the integers), constants as bit patterns printed the
ways LLVM accepts them (`0xH7C01`, double hex, exact decimals), typed
operands and instructions with fast-math flags, and the module with @src,
@tgt and the intrinsic declarations.

Kept apart from model.py, whose integer-only form (a width per operand)
old seeds replay through unchanged.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field

from veriopt.verify.random_ir.model import const_text

# type -> (bits, exponent bits, mantissa bits)
FP_FORMATS = {"half": (16, 5, 10), "float": (32, 8, 23), "double": (64, 11, 52)}
FP_TYPES = tuple(FP_FORMATS)
SUFFIX = {"half": "f16", "float": "f32", "double": "f64"}

# fast-math flags in the order LLVM prints them ("fast" when all seven)
FMF = ("reassoc", "nnan", "ninf", "nsz", "arcp", "contract", "afn")
FBINOPS = ("fadd", "fsub", "fmul", "fdiv", "frem")
FCOMMUTATIVE = {"fadd", "fmul"}
FPREDICATES = ("false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
               "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true")
FP_CASTS = ("fpext", "fptrunc", "fptoui", "fptosi", "uitofp", "sitofp", "bitcast")
INT_OPS = ("add", "sub", "mul", "and", "or", "xor", "shl", "lshr", "ashr")
INT_CASTS = ("zext", "sext", "trunc")
INT_FLAGS = {"add": ("nuw", "nsw"), "sub": ("nuw", "nsw"), "mul": ("nuw", "nsw"),
             "shl": ("nuw", "nsw"), "lshr": ("exact",), "ashr": ("exact",), "or": ("disjoint",),
             "zext": ("nneg",), "trunc": ("nuw", "nsw"), "uitofp": ("nneg",)}
# the FP intrinsics: name -> number of FP operands (is.fpclass also takes an i32 test mask)
FP_INTRINSICS = {"fabs": 1, "sqrt": 1, "copysign": 2, "minnum": 2, "maxnum": 2,
                 "minimum": 2, "maximum": 2, "fma": 3, "fmuladd": 3, "is.fpclass": 1}
# nofpclass / is.fpclass test bits, LLVM's FPClassTest
FPCLASS_BITS = ("snan", "qnan", "ninf", "nnorm", "nsub", "nzero",
                "pzero", "psub", "pnorm", "pinf")
FPCLASS_GROUPS = {"nan": 0x3, "inf": 0x204, "zero": 0x60, "sub": 0x90, "norm": 0x108}


def is_fp(ty: str) -> bool:
    return ty in FP_FORMATS


def bits_of(ty: str) -> int:
    return FP_FORMATS[ty][0] if is_fp(ty) else int(ty[1:])


def has_fmf(ins: FInstr) -> bool:
    """Whether LLVM allows fast-math flags on the instruction: FP-typed
    results (and fcmp), never integer-typed calls or int-to-FP casts."""
    if ins.op == "fcmp":
        return True
    if ins.op in ("uitofp", "sitofp", "bitcast", "freeze"):
        return False
    return is_fp(ins.ty)


# ---- constants -------------------------------------------------------------------

def fp_fields(bits: int, ty: str) -> tuple[int, int, int]:
    w, e, m = FP_FORMATS[ty]
    return bits >> (w - 1), (bits >> m) & ((1 << e) - 1), bits & ((1 << m) - 1)


def fp_make(ty: str, sign: int, exp: int, mant: int) -> int:
    w, _, m = FP_FORMATS[ty]
    return (sign << (w - 1)) | (exp << m) | mant


def fp_is_nan(bits: int, ty: str) -> bool:
    _, e, _ = FP_FORMATS[ty]
    _, exp, mant = fp_fields(bits, ty)
    return exp == (1 << e) - 1 and mant != 0


def fp_value(bits: int, ty: str) -> float:
    """The value as a Python float (exact for all three types; NaN as nan)."""
    if ty == "double":
        return struct.unpack("<d", struct.pack("<Q", bits))[0]
    if ty == "float":
        return struct.unpack("<f", struct.pack("<I", bits))[0]
    return struct.unpack("<e", struct.pack("<H", bits))[0]


def fp_bits(value: float, ty: str) -> int:
    """The bit pattern nearest `value` (overflow saturates to infinity)."""
    fmt = {"double": ("<d", "<Q"), "float": ("<f", "<I"), "half": ("<e", "<H")}[ty]
    try:
        return struct.unpack(fmt[1], struct.pack(fmt[0], value))[0]
    except (OverflowError, struct.error):
        return fp_make(ty, int(value < 0), (1 << FP_FORMATS[ty][1]) - 1, 0)


def double_bits(bits: int, ty: str) -> int:
    """The double LLVM reads for a constant of `ty` written in double hex:
    the same value, NaN payloads moved to the top of the double mantissa
    (LLVM keeps signalling NaNs signalling)."""
    if ty == "double":
        return bits
    _, _, m = FP_FORMATS[ty]
    sign, _, mant = fp_fields(bits, ty)
    if fp_is_nan(bits, ty):
        return (sign << 63) | (0x7FF << 52) | (mant << (52 - m))
    return struct.unpack("<Q", struct.pack("<d", fp_value(bits, ty)))[0]


_DECIMAL = re.compile(r"-?\d+\.\d+(e[-+]?\d+)?")


def fp_text(bits: int, ty: str, style: str = "hex") -> str:
    """A constant as LLVM reads it: style "H" (half only: 0xHhhhh), "dec"
    (an exact decimal, where the value has a short one) or "hex" (double hex)."""
    if style == "H" and ty == "half":
        return f"0xH{bits:04X}"
    if style == "dec" and not fp_is_nan(bits, ty):
        v = fp_value(bits, ty)
        if math.isfinite(v):
            s = repr(v)
            if "e" in s and "." not in s:
                s = s.replace("e", ".0e")
            if _DECIMAL.fullmatch(s):
                return s
    return f"0x{double_bits(bits, ty):016X}"


@dataclass
class FOperand:
    kind: str          # "val" | "const" | "undef" | "poison"
    ty: str            # "half" "float" "double" or "iN"
    name: str = ""     # kind "val"
    value: int = 0     # kind "const": FP bit pattern, or the integer
    style: str = "hex"  # FP constants: how it is printed (see fp_text)

    def text(self) -> str:
        if self.kind == "val":
            return f"%{self.name}"
        if self.kind in ("undef", "poison"):
            return self.kind
        if is_fp(self.ty):
            return fp_text(self.value, self.ty, self.style)
        return const_text(self.value, bits_of(self.ty))

    def typed(self) -> str:
        return f"{self.ty} {self.text()}"


def flag_text(flags: list[str], ins_op: str) -> str:
    """Flags in LLVM's printing order, each followed by a space."""
    if all(f in flags for f in FMF):
        return "fast "
    order = FMF if any(f in FMF for f in flags) else INT_FLAGS.get(ins_op, ())
    return "".join(f + " " for f in order if f in flags)


@dataclass
class FInstr:
    name: str
    op: str                  # fbinop, fneg, fcmp, cast, int op, icmp, select, freeze, call
    ty: str                  # result type
    args: list[FOperand]
    flags: list[str] = field(default_factory=list)   # fast-math or integer flags
    pred: str = ""           # fcmp / icmp
    callee: str = ""         # call: "fabs", "minnum", "is.fpclass", ...
    imm: int = 0             # is.fpclass: the test mask

    def text(self) -> str:
        fl = flag_text(self.flags, self.op)
        a = self.args
        lhs = f"%{self.name} = "
        if self.op in FBINOPS or self.op in INT_OPS:
            return f"{lhs}{self.op} {fl}{self.ty} {a[0].text()}, {a[1].text()}"
        if self.op == "fneg":
            return f"{lhs}fneg {fl}{self.ty} {a[0].text()}"
        if self.op in ("fcmp", "icmp"):
            return f"{lhs}{self.op} {fl}{self.pred} {a[0].typed()}, {a[1].text()}"
        if self.op == "select":
            return f"{lhs}select {fl}{a[0].typed()}, {a[1].typed()}, {a[2].typed()}"
        if self.op == "freeze":
            return f"{lhs}freeze {a[0].typed()}"
        if self.op in FP_CASTS or self.op in INT_CASTS:
            return f"{lhs}{self.op} {fl}{a[0].typed()} to {self.ty}"
        if self.op == "call":
            ops = [x.typed() for x in a]
            if self.callee == "is.fpclass":
                ops.append(f"i32 {self.imm}")
            return f"{lhs}call {fl}{self.ty} {fp_intrinsic_name(self.callee, a[0].ty)}({', '.join(ops)})"
        raise AssertionError(self.op)


@dataclass
class FFunction:
    params: list[tuple[str, str, list[str]]]   # (name, type, attributes)
    body: list[FInstr]
    ret: FOperand
    name: str = "src"
    ret_attrs: list[str] = field(default_factory=list)

    def text(self, name: str | None = None) -> str:
        ps = ", ".join(f"{t} {''.join(a + ' ' for a in at)}%{n}" for n, t, at in self.params)
        ra = "".join(a + " " for a in self.ret_attrs)
        lines = [f"define {ra}{self.ret.ty} @{name or self.name}({ps}) {{"]
        lines += ["  " + i.text() for i in self.body]
        lines.append(f"  ret {self.ret.typed()}")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def intrinsics(self) -> set[tuple[str, str]]:
        return {(i.callee, i.args[0].ty) for i in self.body if i.op == "call"}


def nofpclass_text(mask: int) -> str:
    """`nofpclass(...)` with LLVM's group names where a whole group is set."""
    names, rest = [], mask
    if rest == 0x3FF:
        return "nofpclass(all)"
    for g, bits in FPCLASS_GROUPS.items():
        if rest & bits == bits:
            names.append(g)
            rest &= ~bits
    names += [n for k, n in enumerate(FPCLASS_BITS) if rest >> k & 1]
    return f"nofpclass({' '.join(names)})"


def fp_intrinsic_name(base: str, ty: str) -> str:
    return f"@llvm.{base}.{SUFFIX[ty]}"


def fp_declaration(base: str, ty: str) -> str:
    if base == "is.fpclass":
        return f"declare i1 {fp_intrinsic_name(base, ty)}({ty}, i32 immarg)"
    return f"declare {ty} {fp_intrinsic_name(base, ty)}({', '.join([ty] * FP_INTRINSICS[base])})"


def fp_module_text(src: FFunction, tgt_text: str | None = None, extra: str = "") -> str:
    """@src, the target's text (named @tgt) and every FP intrinsic
    declaration either side needs that `extra` does not hold."""
    declared = set(re.findall(r"^declare [^@]*(@[\w.$-]+)", extra, re.M))
    wanted = {fp_intrinsic_name(b, t): fp_declaration(b, t) for b, t in src.intrinsics()}
    for name in re.findall(r"call [^@]*(@llvm\.[\w.]+)\(", tgt_text or ""):
        m = re.fullmatch(r"@llvm\.([\w.]+)\.(f16|f32|f64)", name)
        ty = {v: k for k, v in SUFFIX.items()}.get(m.group(2)) if m else None
        if m and m.group(1) in FP_INTRINSICS and ty:
            wanted.setdefault(name, fp_declaration(m.group(1), ty))
    decls = [d for n, d in sorted(wanted.items()) if n not in declared]
    text = src.text("src") + "\n" + (tgt_text or "").rstrip("\n") + "\n"
    if decls:
        text += "\n" + "\n".join(decls) + "\n"
    if extra.strip():
        text += "\n" + extra.strip("\n") + "\n"
    return text
