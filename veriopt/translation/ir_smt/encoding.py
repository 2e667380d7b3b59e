"""What one side's encoding is made of: the inputs both sides share
(`Inputs`, an argument lane being a value, a poison flag and an undef
flag), an SSA value with the undef variables it depends on (`Entry`),
where an undef copy was read (`UseKey`), the result (`Encoding`), and the
values at a join of the control-flow graph (`merge_envs`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import z3

from veriopt.errors import Unsupported
from veriopt.ir.model import Param
from veriopt.ir.types import IntType, PtrType, StructType, Type, VectorType, unsupported_type
from veriopt.translation.ir_smt.memory.pointers import has_pointer
from veriopt.translation.ir_smt.values import Lane, SVal, ite, shape

if TYPE_CHECKING:
    from veriopt.translation.ir_smt.memory.model import NonLocal

F = z3.BoolVal(False)
T = z3.BoolVal(True)

_counter = itertools.count()


def fresh_name(prefix: str) -> str:
    return f"{prefix}!{next(_counter)}"


@dataclass
class Entry:
    """An SSA value and the undef variables it depends on (re-instantiated
    at every use)."""

    val: SVal
    undef_vars: tuple = ()


@dataclass(frozen=True)
class UseKey:
    """Where an undef copy was made: at the n-th read of which value (an
    argument by position, else its name), copying the undef made at `inner`
    (down to an argument's or a constant's undef). Source and target copies
    with the same key, or the same inner key, are the natural witness pairs
    (see verify/witness.py)."""

    value: str
    n: int
    inner: "UseKey | str"

    @property
    def root(self) -> str:
        return self.inner.root if isinstance(self.inner, UseKey) else self.inner


@dataclass
class InputVar:
    """The shared SMT variables of one argument lane."""

    name: str        # display name, e.g. "%x", or "%x#1" for lane 1
    value: z3.BitVecRef
    poison: z3.BoolRef
    is_undef: z3.BoolRef
    is_pointer: bool = False


@dataclass
class Inputs:
    """Arguments shared by source and target: value, poison flag and undef
    flag per lane (an argument lane is undef as a whole, never bit by bit)."""

    params: list[Param]
    entries: dict[str, tuple[SVal, tuple]]  # name -> (value over templates, undef templates)
    vars: list[InputVar] = field(default_factory=list)
    memory: NonLocal | None = None   # the caller's blocks, shared (None: neither side touches memory)
    calls: Any = None   # the table of the declared functions called (calls/table.py)
    source_traps: frozenset[str] | None = None   # the traps the source has (function.py)
    shared: dict[str, z3.BitVecRef] = field(default_factory=dict)   # other unknowns both sides
                                     # share, once per execution (NaN payloads, rounding mode)

    @classmethod
    def make(cls, params: list[Param], allow_poison: bool = True,
             allow_undef: bool = True, global_vars: dict | None = None, dl=None,
             little_endian: bool = True, with_memory: bool = True) -> "Inputs":
        """`with_memory=False` when neither side touches memory
        (memory_use.py): no memory model is built or imported."""
        entries = {}
        all_vars: list[InputVar] = []
        memory = None
        if with_memory:
            from veriopt.translation.ir_smt.memory.model import NonLocal
            memory = NonLocal.make(sum(isinstance(p.type, PtrType) for p in params), not allow_poison,
                                   global_vars, dl, little_endian)   # the caller's memory
        for param in params:
            reason = unsupported_type(param.type)
            if reason:
                raise Unsupported(f"{reason} (argument %{param.name})")
            # a `noundef` parameter of the source that is poison or undef makes
            # the source UB, so such inputs refute nothing: they are left out
            # (which also keeps undef choices out of addresses, see memory/)
            allow_p = allow_poison and not param.attrs.noundef
            allow_u = allow_undef and not param.attrs.noundef
            if isinstance(param.type, PtrType):
                # never undef (alive-tv: `icmp eq ptr %p, %p` is true)
                assert memory is not None, "a pointer argument needs the memory model"
                ptr = memory.pointer_input(param.name)
                p = z3.Bool(f"in:{param.name}:0:poison") if allow_p else F
                all_vars.append(InputVar(f"%{param.name}", ptr, p, F, is_pointer=True))
                entries[param.name] = (Lane(ptr, p), ())
                continue
            if has_pointer(param.type):
                raise Unsupported(f"pointers in an aggregate (argument %{param.name})")
            templates: list = []
            lane_vars: list[InputVar] = []

            def leaf(ty: IntType) -> Lane:
                k = len(lane_vars)
                label = f"%{param.name}" if not _is_aggregate(param.type) else f"%{param.name}#{k}"
                x = z3.BitVec(f"in:{param.name}:{k}", ty.width)
                p = z3.Bool(f"in:{param.name}:{k}:poison") if allow_p else F
                u = z3.Bool(f"in:{param.name}:{k}:isundef") if allow_u else F
                lane_vars.append(InputVar(label, x, p, u))
                if allow_u:
                    tmpl = z3.BitVec(f"undef:{param.name}:{k}", ty.width)
                    templates.append(tmpl)
                    return Lane(z3.If(u, tmpl, x), p)
                return Lane(x, p)
            val = shape(param.type, leaf)
            entries[param.name] = (val, tuple(templates))
            all_vars += lane_vars
        return cls(params, entries, all_vars, memory)


def _is_aggregate(ty: Type) -> bool:
    return isinstance(ty, (VectorType, StructType)) or hasattr(ty, "count")


@dataclass
class Encoding:
    """What refinement needs to know of one side."""

    ret: SVal | None
    ret_undef_vars: tuple     # undef-constant copies the return value may depend on
    ub: z3.BoolRef            # some executed instruction has UB
    returns: z3.BoolRef       # the function returns normally (no UB)
    undef_vars: list          # all undef variables of this side (constants' and arguments')
    nondet_vars: list         # freeze choices and other non-determinism
    values: list[tuple[str, Type, Entry]]   # named intermediate values, in order
    unreachable: z3.BoolRef   # an `unreachable` is executed (for --disallow-ub-exploitation)
    undef_origin: dict = field(default_factory=dict)  # copy name -> UseKey (where it was read)
    sink: z3.BoolRef = F      # the execution goes beyond the unroll bound (not checked)
    has_loops: bool = False
    guardable_ub: z3.BoolRef = F  # arithmetic UB (see FunctionEncoder.add_ub)
    angelic_vars: list = field(default_factory=list)   # the target's choices made in the
        # source's favour, quantified with the source's (which source call a call stands for)


def template_name(var: z3.ExprRef) -> str:
    """An argument's undef template is shared by both sides; a constant's is
    fresh per constant, so all constants' templates read alike."""
    name = str(var)
    return "undefconst" if name.startswith("undefconst") else name


def merge_envs(incoming: list[tuple[z3.BoolRef, dict[str, Entry]]]) -> dict[str, Entry]:
    """The values at a join: where predecessors disagree on a name (copies
    from different loop iterations), the edge taken decides."""
    if len(incoming) == 1:
        return dict(incoming[0][1])
    names: dict[str, None] = {}
    for _, env in incoming:
        names.update(dict.fromkeys(env))
    merged: dict[str, Entry] = {}
    for name in names:
        have = [(cond, env[name]) for cond, env in incoming if name in env]
        first = have[0][1]
        if all(entry is first for _, entry in have):
            merged[name] = first
            continue
        val = have[-1][1].val
        for cond, entry in reversed(have[:-1]):
            val = ite(cond, entry.val, val)
        undef = {str(v): v for _, e in have for v in e.undef_vars}
        merged[name] = Entry(val, tuple(undef.values()))
    return merged
