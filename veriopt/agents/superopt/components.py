"""The components the synthesizer builds expressions from, as one table.

A component names the IR instruction it stands for (opcode, intrinsic,
predicate, immediate flag arguments); its meaning is not written here but
taken from the verifier's per-opcode registry (see semantics.py), and its
IR text is printed from the same entry (see emit.py), so what is searched,
what is checked and what is proposed cannot drift apart.

Expressions are nested tuples:
    ("arg", name)                 an argument of the synthesis width
    ("zextarg", name, width)      a narrower argument, zero-extended
    ("const", value, width)       a constant
    ("hole", name)                a constant still to be solved for
    ("icmp", pred, e1, e2)        an i1 comparison
    (component, *operands)        any other component of COMPONENTS
"""
from __future__ import annotations

from dataclasses import dataclass

Expr = tuple   # see the module docstring
Vals = tuple   # one value per example (unsigned), for one expression

PREDICATES = ("eq", "ne", "ult", "ule", "slt", "sle", "ugt", "uge", "sgt", "sge")


@dataclass(frozen=True)
class Component:
    """One instruction shape the enumeration may use."""

    name: str                        # the key in expressions ("add", "umin", "icmp ult")
    opcode: str                      # the IR opcode ("add", "call", "icmp", "zext", "select")
    arity: int                       # operands in the expression
    cost: int = 1
    callee: str | None = None        # intrinsic base name ("llvm.umin")
    predicate: str | None = None
    reads: tuple[int, ...] = ()      # IR operand k is expression operand reads[k] (default 0..arity-1)
    immediates: tuple[int, ...] = () # trailing i1 constant operands (`i1 false` of abs, ctlz)
    commutative: bool = False

    @property
    def ir_reads(self) -> tuple[int, ...]:
        return self.reads or tuple(range(self.arity))


def _binop(name: str, cost: int = 1, commutative: bool = False) -> Component:
    return Component(name, name, 2, cost, commutative=commutative)


def _intrinsic(name: str, arity: int, commutative: bool = False, callee: str | None = None,
               reads: tuple[int, ...] = (), immediates: tuple[int, ...] = ()) -> Component:
    return Component(name, "call", arity, callee=callee or f"llvm.{name}", reads=reads,
                     immediates=immediates, commutative=commutative)


# Integer -> integer components of two operands, by the enumeration's order.
BINARY: dict[str, Component] = {c.name: c for c in [
    _binop("add", commutative=True), _binop("sub"), _binop("and", commutative=True),
    _binop("or", commutative=True), _binop("xor", commutative=True), _binop("shl"),
    _binop("lshr"), _binop("ashr"),
    _intrinsic("umin", 2, True), _intrinsic("umax", 2, True), _intrinsic("smin", 2, True),
    _intrinsic("smax", 2, True),
    # rotates are funnel shifts of a value with itself
    _intrinsic("rotl", 2, callee="llvm.fshl", reads=(0, 0, 1)),
    _intrinsic("rotr", 2, callee="llvm.fshr", reads=(0, 0, 1)),
    _binop("mul", cost=3, commutative=True),
]}

# Integer -> integer components of one operand.
UNARY: dict[str, Component] = {c.name: c for c in [
    _intrinsic("abs", 1, immediates=(0,)), _intrinsic("ctpop", 1),
    _intrinsic("ctlz", 1, immediates=(0,)), _intrinsic("cttz", 1, immediates=(0,)),
]}

# Integer x integer -> i1.
COMPARISONS: dict[str, Component] = {
    f"icmp {p}": Component(f"icmp {p}", "icmp", 2, predicate=p, commutative=p in ("eq", "ne"))
    for p in PREDICATES}

ZEXT = Component("zext", "zext", 1)          # of an i1, or of a narrower argument
SELECT = Component("select", "select", 3)    # i1 condition, two integers

COMPONENTS: dict[str, Component] = {**BINARY, **UNARY, **COMPARISONS, "zext": ZEXT,
                                    "select": SELECT}

LEAVES = ("arg", "const", "hole", "zextarg")


def component_of(e: Expr) -> Component:
    """The component at the root of a non-leaf expression."""
    return COMPONENTS[f"icmp {e[1]}" if e[0] == "icmp" else e[0]]


def operands_of(e: Expr) -> tuple[Expr, ...]:
    return e[2:] if e[0] == "icmp" else e[1:]


def expr_cost(e: Expr) -> int:
    """Arguments and constants are free; a zero-extended argument costs its
    zext; every component its weight."""
    if e[0] in ("arg", "const", "hole"):
        return 0
    if e[0] == "zextarg":
        return ZEXT.cost
    return component_of(e).cost + sum(expr_cost(x) for x in operands_of(e))


def fill_hole(e: Expr, c: int, w: int) -> Expr:
    """`e` with its hole replaced by the constant c (w bits)."""
    if e[0] == "hole":
        return ("const", c, w)
    if e[0] in LEAVES:
        return e
    head = e[:2] if e[0] == "icmp" else e[:1]
    return (*head, *[fill_hole(x, c, w) for x in operands_of(e)])
