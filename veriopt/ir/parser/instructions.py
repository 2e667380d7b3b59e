"""One instruction: its result name, opcode, flags, operands and the
opcode's extras (phi incoming, branch targets, switch cases, call
attributes). Instructions the verifier does not model are kept by opcode
only, for it to report as unsupported.
"""
from __future__ import annotations

from veriopt.ir.model import Attrs, Instr, Value
from veriopt.ir.parser.lexer import (
    BINARY_OPS, CALL_PREFIX, CAST_OPS, FAST_MATH, INT_FLAGS, strip_name,
)
from veriopt.ir.parser.memory import MEMORY_OPS, MemoryParser
from veriopt.ir.types import VOID, IntType, OpaqueType, StructType, Type, VectorType


class InstrParser(MemoryParser):
    """Reads instructions."""

    def parse_instr(self) -> Instr:
        line = self.peek().line
        name = None
        if self.peek().kind == "local" and self.peek(1).text == "=":
            name = strip_name(self.next().text)
            self.next()
        op = self.next().text
        instr = self._instr_body(op, name)
        instr.line = line
        # trailing operand bundles, metadata, attribute groups
        while self.peek().kind not in ("nl", "eof") and not self.at("}"):
            tok = self.next()
            if tok.kind in ("attrgrp", "word") and instr.opcode == "call":
                # call-site function attributes (groups resolved by the module parser)
                instr.extra.setdefault("fn_attrs", []).append(tok.text)
            elif tok.kind == "meta" and len(tok.text) > 1 and tok.text[1].isalpha():
                instr.extra.setdefault("metadata", []).append(tok.text[1:])
        return instr

    def _bundles(self) -> list[tuple[str, list[Value]]]:
        """Operand bundles: `[ "align"(ptr %p, i64 8), "nonnull"(ptr %q) ]`."""
        self.expect("[")
        bundles: list[tuple[str, list[Value]]] = []
        while not self.accept("]"):
            tag = self.next().text.strip('"')
            self.expect("(")
            values: list[Value] = []
            while not self.accept(")"):
                values.append(self.parse_value(self.parse_type()))
                self.accept(",")
            bundles.append((tag, values))
            self.accept(",")
        return bundles

    def _flags(self) -> frozenset[str]:
        flags = set()
        while self.peek().text in INT_FLAGS or self.peek().text in FAST_MATH:
            flags.add(self.next().text)
        return frozenset(flags)

    def _typed_values(self, count: int) -> list[Value]:
        """`ty a, ty b, ...`: `count` typed values separated by commas."""
        values = [self.typed_value()]
        for _ in range(count - 1):
            self.expect(",")
            values.append(self.typed_value())
        return values

    def _label(self) -> str:
        """`label %bb` -> "bb"."""
        self.expect("label")
        return strip_name(self.next().text)

    def _instr_body(self, op: str, name: str | None) -> Instr:
        if op in BINARY_OPS:
            flags = self._flags()
            ty = self.parse_type()
            a = self.parse_value(ty)
            self.expect(",")
            b = self.parse_value(ty)
            return Instr(name, op, ty, [a, b], flags)
        if op in ("icmp", "fcmp"):
            flags = self._flags()
            pred = self.next().text
            ty = self.parse_type()
            a = self.parse_value(ty)
            self.expect(",")
            b = self.parse_value(ty)
            rty: Type = VectorType(ty.count, IntType(1)) if isinstance(ty, VectorType) else IntType(1)
            return Instr(name, op, rty, [a, b], flags, predicate=pred)
        if op in CAST_OPS:
            flags = self._flags()
            v = self.typed_value()
            self.expect("to")
            ty = self.parse_type()
            return Instr(name, op, ty, [v], flags)
        if op == "select":
            flags = self._flags()
            c, a, b = self._typed_values(3)
            return Instr(name, op, a.type, [c, a, b], flags)
        if op == "fneg":
            flags = self._flags()
            v = self.typed_value()
            return Instr(name, op, v.type, [v], flags)
        if op == "freeze":
            v = self.typed_value()
            return Instr(name, op, v.type, [v])
        if op == "phi":
            phi_flags = self._flags()
            ty = self.parse_type()
            incoming = []
            while True:
                self.expect("[")
                v = self.parse_value(ty)
                self.expect(",")
                blk = strip_name(self.next().text)
                self.expect("]")
                incoming.append((v, blk))
                if not self.accept(","):
                    break
            return Instr(name, op, ty, [v for v, _ in incoming], phi_flags,
                         extra={"incoming": incoming})
        if op == "br":
            if self.at("label"):
                self.next()
                target = strip_name(self.next().text)
                return Instr(None, op, VOID, [], extra={"targets": [target]})
            c = self.typed_value()
            self.expect(",")
            t1 = self._label()
            self.expect(",")
            t2 = self._label()
            return Instr(None, op, VOID, [c], extra={"targets": [t1, t2]})
        if op == "switch":
            v = self.typed_value()
            self.expect(",")
            default = self._label()
            self.expect("[")
            self.skip_nl += 1
            cases = []
            while not self.at("]"):
                cv = self.typed_value()
                self.expect(",")
                cases.append((cv, self._label()))
            self.expect("]")
            self.skip_nl -= 1
            return Instr(None, op, VOID, [v], extra={"default": default, "cases": cases})
        if op == "ret":
            if self.accept("void"):
                return Instr(None, op, VOID, [])
            v = self.typed_value()
            return Instr(None, op, VOID, [v])
        if op == "unreachable":
            return Instr(None, op, VOID, [])
        if op == "extractelement":
            v, idx = self._typed_values(2)
            assert isinstance(v.type, VectorType)
            return Instr(name, op, v.type.elem, [v, idx])
        if op == "insertelement":
            v, e, idx = self._typed_values(3)
            return Instr(name, op, v.type, [v, e, idx])
        if op == "shufflevector":
            a, b, mask = self._typed_values(3)
            count = mask.type.count if isinstance(mask.type, VectorType) else 1
            assert isinstance(a.type, VectorType)
            ty = VectorType(count, a.type.elem, getattr(mask.type, "scalable", False))
            return Instr(name, op, ty, [a, b, mask])
        if op in ("extractvalue", "insertvalue"):
            agg = self.typed_value()
            ops = [agg]
            if op == "insertvalue":
                self.expect(",")
                ops.append(self.typed_value())
            indices = []
            while self.accept(","):
                indices.append(int(self.next().text))
            ty = agg.type
            if op == "extractvalue":
                for k in indices:
                    ty = ty.fields[k] if isinstance(ty, StructType) else ty.elem  # type: ignore[attr-defined]
            return Instr(name, op, ty, ops, extra={"indices": indices})
        if op in CALL_PREFIX or op == "call":
            if op != "call":
                self.expect("call")
            flags = self._flags()
            while self.peek().text in ("fastcc", "coldcc", "ccc"):
                self.next()
            ret_attrs = self.parse_attrs()
            ty = self.parse_type()
            callee_tok = self.next()
            callee = strip_name(callee_tok.text) if callee_tok.kind in ("global", "local") else callee_tok.text
            self.expect("(")
            args: list[Value] = []
            arg_attrs: list[Attrs] = []
            if not self.accept(")"):
                while True:
                    aty = self.parse_type()
                    a_attrs = self.parse_attrs()
                    args.append(self.parse_value(aty))
                    arg_attrs.append(a_attrs)
                    if self.accept(")"):
                        break
                    self.expect(",")
            if isinstance(ty, OpaqueType) and ty.name == "function type":
                ty = OpaqueType("function type")
            extra = {"callee": callee, "ret_attrs": ret_attrs, "arg_attrs": arg_attrs,
                     "tail": op in ("tail", "musttail")}
            if self.at("["):
                extra["bundles"] = self._bundles()
            return Instr(name, "call", ty, args, flags, extra=extra)
        if op in MEMORY_OPS:
            return self.parse_memory_instr(op, name)
        # anything else (atomics, ...)
        self.skip_line(inside_body=True)
        return Instr(name, op, OpaqueType("unknown"), [])
