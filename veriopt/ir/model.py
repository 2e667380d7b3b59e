"""The typed view of an LLVM module: functions, blocks, instructions, operands.

It is data only — it knows nothing about SMT. It is built from LLVM's own
canonical printing of a module (see `loader.py`), so every spelling it
meets has already been normalised by LLVM 22.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from veriopt.ir.types import Type


# ---- operands -------------------------------------------------------------
# One small frozen dataclass per kind of operand, like the types in types.py:
# parallel declarations (a table of kinds), so their alike shapes stay.

class Value:
    type: Type


@dataclass(frozen=True)
class LocalRef(Value):
    """A use of an argument or an instruction result (`%x`)."""

    name: str
    type: Type

    def __str__(self) -> str:
        return f"%{self.name}"


@dataclass(frozen=True)
class GlobalRef(Value):
    name: str
    type: Type

    def __str__(self) -> str:
        return f"@{self.name}"


@dataclass(frozen=True)
class IntConst(Value):
    type: Type
    value: int  # as written (may be negative); reduced modulo 2^w by semantics

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class UndefConst(Value):
    type: Type

    def __str__(self) -> str:
        return "undef"


@dataclass(frozen=True)
class PoisonConst(Value):
    type: Type

    def __str__(self) -> str:
        return "poison"


@dataclass(frozen=True)
class ZeroConst(Value):
    """zeroinitializer (and `null`)."""

    type: Type

    def __str__(self) -> str:
        return "zeroinitializer"


@dataclass(frozen=True)
class AggregateConst(Value):
    """A vector, struct or array literal; `splat (...)` expands to one."""

    type: Type
    elems: tuple[Value, ...]

    def __str__(self) -> str:
        return "<" + ", ".join(f"{e.type} {e}" for e in self.elems) + ">"


@dataclass(frozen=True)
class ConstExpr(Value):
    """A constant expression such as `bitcast (<1 x i32> ... to <2 x i16>)`."""

    type: Type
    opcode: str
    operands: tuple[Value, ...]
    flags: frozenset[str] = frozenset()
    source_type: Type | None = None   # getelementptr's element type

    def __str__(self) -> str:
        return f"{self.opcode} (...)"


@dataclass(frozen=True)
class OpaqueConst(Value):
    """A literal of a type the verifier does not model (float, string, ...)."""

    type: Type
    text: str

    def __str__(self) -> str:
        return self.text


# ---- instructions ---------------------------------------------------------

@dataclass
class Attrs:
    """Parameter or return attributes that change meaning for integers."""

    noundef: bool = False
    range: tuple[int, int] | None = None   # [lo, hi) as written, wrapping
    zeroext: bool = False
    signext: bool = False
    nofpclass: int = 0    # is.fpclass mask of the classes that make the value poison
    other: list[str] = field(default_factory=list)
    args: dict[str, str] = field(default_factory=dict)   # other's arguments: align -> "4"


@dataclass
class Instr:
    name: str | None          # result name without '%', None for void
    opcode: str               # 'add', 'icmp', 'call', 'br', ...
    type: Type                # result type (VOID for none)
    operands: list[Value]
    flags: frozenset[str] = frozenset()
    predicate: str | None = None          # icmp predicate
    # opcode-specific extras: phi 'incoming' [(Value, block)], br/switch
    # 'targets', switch 'cases' [(IntConst, block)], call 'callee' and
    # 'ret_attrs'/'arg_attrs', extract/insertvalue 'indices', ...
    extra: dict[str, Any] = field(default_factory=dict)
    line: int = 0             # line in LLVM's printing of the module
    text: str = ""            # the printed instruction, for messages

    def __str__(self) -> str:
        return self.text or self.opcode


@dataclass
class Block:
    name: str
    instrs: list[Instr]

    @property
    def terminator(self) -> Instr:
        return self.instrs[-1]


@dataclass
class Param:
    name: str
    type: Type
    attrs: Attrs


@dataclass
class Function:
    name: str
    ret_type: Type
    params: list[Param]
    blocks: list[Block]
    ret_attrs: Attrs
    fn_attrs: list[str]
    is_declaration: bool = False
    module_text: str = field(default="", repr=False)  # for running it in the JIT
    globals: dict[str, "GlobalVar"] = field(default_factory=dict, repr=False)  # the module's
    functions: dict[str, "Function"] = field(default_factory=dict, repr=False)  # the module's,
                                                    # declarations too: what a call calls

    def block(self, name: str) -> Block:
        for b in self.blocks:
            if b.name == name:
                return b
        raise KeyError(name)

    def instructions(self):
        for b in self.blocks:
            yield from b.instrs


@dataclass
class GlobalVar:
    """A module-level `@g = [linkage] global|constant T [init], align N`."""

    name: str
    type: Type
    constant: bool
    init: Value | None        # None: external, contents unknown
    align: int = 0            # 0: not given
    addrspace: int = 0
    text: str = ""            # as printed, to tell two modules' definitions apart


@dataclass
class Module:
    functions: dict[str, Function]
    datalayout: str = ""
    triple: str = ""
    text: str = ""            # LLVM's printing, which line numbers refer to
    source_file: str | None = None
    globals: dict[str, GlobalVar] = field(default_factory=dict)

    @property
    def little_endian(self) -> bool:
        return not self.datalayout.startswith("E") and "-E" not in self.datalayout
