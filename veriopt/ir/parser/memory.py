"""Memory instructions: `alloca`, `load`, `store` and `getelementptr`, with
their types, alignment and flags. Atomic and volatile forms are parsed
too (marked in `extra`), for the semantics to refuse by name.
"""
from __future__ import annotations

from veriopt.ir.model import GlobalVar, Instr, Value
from veriopt.ir.parser.lexer import strip_name
from veriopt.ir.parser.values import ValueParser
from veriopt.ir.types import VOID, PtrType, Type, VectorType

MEMORY_OPS = ("alloca", "load", "store", "getelementptr")
ORDERINGS = {"unordered", "monotonic", "acquire", "release", "acq_rel", "seq_cst"}


class MemoryParser(ValueParser):
    """Reads memory instructions (the instruction parser extends it)."""

    def _access_tail(self, extra: dict) -> None:
        """`[syncscope("x")] [ordering], align N` after the pointer operand."""
        if self.accept("syncscope"):
            self._skip_group("(", ")")
        if self.peek().text in ORDERINGS:
            extra["ordering"] = self.next().text
        while self.at(","):
            if self.peek(1).text != "align":
                return                      # metadata follows
            self.next()
            self.next()
            extra["align"] = int(self.next().text)

    def _access_prefix(self) -> dict:
        extra: dict = {"align": 1}
        while self.peek().text in ("atomic", "volatile"):
            extra[self.next().text] = True
        return extra

    def parse_memory_instr(self, op: str, name: str | None) -> Instr:
        p = self
        if op == "load":
            extra = self._access_prefix()
            ty: Type = p.parse_type()
            p.expect(",")
            ptr = p.typed_value()
            self._access_tail(extra)
            return Instr(name, op, ty, [ptr], extra=extra)
        if op == "store":
            extra = self._access_prefix()
            val = p.typed_value()
            p.expect(",")
            ptr = p.typed_value()
            self._access_tail(extra)
            return Instr(None, op, VOID, [val, ptr], extra=extra)
        if op == "alloca":
            extra = {"align": 1, "count": None, "addrspace": 0}
            while p.peek().text in ("inalloca", "swifterror"):
                extra[p.next().text] = True
            extra["alloc_type"] = p.parse_type()
            operands: list[Value] = []
            while p.at(","):
                word = p.peek(1).text
                if word == "align":
                    p.next(); p.next()
                    extra["align"] = int(p.next().text)
                elif word == "addrspace":
                    p.next(); p.next()
                    p.expect("(")
                    extra["addrspace"] = int(p.next().text)
                    p.expect(")")
                elif p.peek(1).kind == "meta":
                    break
                else:
                    p.next()
                    count = p.typed_value()
                    extra["count"] = count
                    operands.append(count)
            return Instr(name, op, PtrType(extra["addrspace"]), operands, extra=extra)
        # getelementptr [inbounds] [nusw] [nuw] [inrange(a, b)] T, ptr %p, idx...
        flags = set()
        while p.peek().text in ("inbounds", "nusw", "nuw", "inrange"):
            word = p.next().text
            flags.add(word)
            if word == "inrange" and p.at("("):
                p._skip_group("(", ")")
        source_type = p.parse_type()
        operands = []
        while p.accept(","):
            if p.peek().kind == "meta":
                break
            operands.append(p.typed_value())
        result: Type = operands[0].type
        for idx in operands[1:]:
            if isinstance(idx.type, VectorType):
                result = VectorType(idx.type.count, PtrType(getattr(result, "addrspace", 0)))
        return Instr(name, op, result, operands, frozenset(flags),
                     extra={"source_type": source_type})

    def parse_global(self) -> GlobalVar | None:
        """`@g = [linkage ...] global|constant T [init] [, align N] ...`;
        None for an alias or ifunc (skipped)."""
        start = self.i
        name = strip_name(self.next().text)
        self.expect("=")
        external = False
        addrspace = 0
        while self.peek().text not in ("global", "constant"):
            tok = self.next()
            if tok.kind in ("nl", "eof") or tok.text in ("alias", "ifunc"):
                self.i = start
                self.skip_line()
                return None
            external |= tok.text in ("external", "extern_weak")
            if tok.text == "addrspace":
                self.expect("(")
                addrspace = int(self.next().text)
                self.expect(")")
            elif self.at("(") and tok.text == "thread_local":
                self._skip_group("(", ")")
        constant = self.next().text == "constant"
        ty = self.parse_type()
        init = None
        if not external and self.peek().kind not in ("nl", "eof") and not self.at(","):
            init = self.parse_value(ty)
        align = 0
        while self.accept(","):
            if self.accept("align"):
                align = int(self.next().text)
            else:
                while self.peek().kind not in ("nl", "eof") and not self.at(","):
                    self.next()
        text = " ".join(t.text for t in self.toks[start:self.i] if t.kind != "nl")
        self.skip_line()
        return GlobalVar(name, ty, constant, init, align, addrspace, text)
