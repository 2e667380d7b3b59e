"""Types, operands (constants, constant expressions, references) and
parameter/return attributes.
"""
from __future__ import annotations

import re

from veriopt.ir.model import (
    AggregateConst, Attrs, ConstExpr, GlobalRef, IntConst, LocalRef, OpaqueConst, PoisonConst,
    UndefConst, Value, ZeroConst,
)
from veriopt.ir.parser.lexer import (
    BINARY_OPS, CAST_OPS, INT_FLAGS, NOT_ATTRS, TokenStream, strip_name,
)
from veriopt.ir.types import (
    FLOAT_NAMES, LABEL, VOID, ArrayType, FloatType, IntType, OpaqueType, PtrType, StructType, Type,
    VectorType,
)


# attributes that are one word and one boolean field of `Attrs`, of that name
FLAG_ATTRS = ("noundef", "zeroext", "signext")
# nofpclass(...) words as llvm.is.fpclass mask bits (LangRef, "llvm.is.fpclass")
FP_CLASSES = {"snan": 1, "qnan": 2, "nan": 3, "ninf": 4, "pinf": 512, "inf": 516,
              "nnorm": 8, "pnorm": 256, "norm": 264, "nsub": 16, "psub": 128, "sub": 144,
              "nzero": 32, "pzero": 64, "zero": 96, "all": 1023}


class ValueParser(TokenStream):
    """Reads types, values and attributes."""

    named_types: dict[str, Type] = {}   # the module's `%T = type ...` (set per module)

    def parse_type(self) -> Type:
        t = self.next()
        ty: Type
        if t.kind == "word" and re.fullmatch(r"i[0-9]+", t.text):
            ty = IntType(int(t.text[1:]))
        elif t.text == "void":
            ty = VOID
        elif t.text == "<":
            if self.accept("{"):
                fields = self._type_list("}")
                self.expect(">")
                ty = StructType(tuple(fields), packed=True)
            else:
                scalable = False
                if self.at("vscale"):
                    self.next()
                    self.expect("x")
                    scalable = True
                n = int(self.next().text)
                self.expect("x")
                elem = self.parse_type()
                self.expect(">")
                ty = VectorType(n, elem, scalable)
        elif t.text == "[":
            n = int(self.next().text)
            self.expect("x")
            elem = self.parse_type()
            self.expect("]")
            ty = ArrayType(n, elem)
        elif t.text == "{":
            fields = self._type_list("}")
            ty = StructType(tuple(fields))
        elif t.text == "ptr":
            ty = PtrType()
            if self.at("addrspace"):
                self.next()
                self.expect("(")
                ty = PtrType(int(self.next().text))
                self.expect(")")
        elif t.text in FLOAT_NAMES:
            ty = FloatType(t.text)
        elif t.text == "label":
            ty = LABEL
        elif t.kind == "local" and t.text in self.named_types:   # %T = type {...}
            ty = self.named_types[t.text]
        else:
            ty = OpaqueType(t.text)
        # function types: `i32 (i32, ...)`
        while self.at("("):
            self.next()
            self._type_list(")")
            ty = OpaqueType("function type")
        return ty

    def _type_list(self, close: str) -> list[Type]:
        out: list[Type] = []
        if self.accept(close):
            return out
        while True:
            if self.accept("..."):
                pass
            else:
                out.append(self.parse_type())
            if self.accept(close):
                return out
            self.expect(",")

    # -- values --
    def parse_value(self, ty: Type) -> Value:
        t = self.peek()
        if t.kind == "local":
            self.next()
            return LocalRef(strip_name(t.text), ty)
        if t.kind == "global":
            self.next()
            return GlobalRef(strip_name(t.text), ty)
        if t.kind in ("num", "hex"):
            self.next()
            if isinstance(ty.scalar(), IntType) and t.kind == "num" and "." not in t.text:
                return IntConst(ty, int(t.text))
            return OpaqueConst(ty, t.text)
        text = t.text
        if text in ("true", "false"):
            self.next()
            return IntConst(ty, 1 if text == "true" else 0)
        if text == "undef":
            self.next()
            return UndefConst(ty)
        if text == "poison":
            self.next()
            return PoisonConst(ty)
        if text in ("zeroinitializer", "null"):
            self.next()
            return ZeroConst(ty)
        if text == "splat":
            self.next()
            self.expect("(")
            ety = self.parse_type()
            elem = self.parse_value(ety)
            self.expect(")")
            count = ty.count if isinstance(ty, VectorType) else 1
            return AggregateConst(ty, tuple([elem] * count))
        if text in ("<", "[", "{"):
            close = {"<": ">", "[": "]", "{": "}"}[text]
            self.next()
            packed = text == "<" and self.accept("{")
            elems = []
            if not self.accept(close):
                while True:
                    ety = self.parse_type()
                    elems.append(self.parse_value(ety))
                    if self.accept(close):
                        break
                    self.expect(",")
            if packed:
                self.expect(">")
            return AggregateConst(ty, tuple(elems))
        if t.kind == "str":
            self.next()
            return OpaqueConst(ty, t.text)
        if t.kind == "meta":
            self.next()
            text = "metadata"
            if self.peek().kind == "str":
                text = "metadata !" + self.next().text    # e.g. !"round.upward"
            elif self.at("{"):
                self._skip_group("{", "}")
            return OpaqueConst(ty, text)
        if t.kind == "word" and (text in CAST_OPS or text in BINARY_OPS or text in
                                 ("getelementptr", "icmp", "select", "extractelement",
                                  "insertelement", "shufflevector")):
            return self._const_expr(ty)
        # something else (blockaddress, dso_local_equivalent, ...): keep opaque
        self.next()
        if self.at("("):
            self._skip_group("(", ")")
        return OpaqueConst(ty, text)

    def _const_expr(self, ty: Type) -> Value:
        opcode = self.next().text
        flags = set()
        while self.peek().text in INT_FLAGS:
            flags.add(self.next().text)
        self.expect("(")
        ops: list[Value] = []
        source_type = None
        if opcode == "getelementptr":   # (T, ptr @g, i64 1, ...)
            source_type = self.parse_type()
            self.expect(",")
        if opcode in CAST_OPS:
            sty = self.parse_type()
            ops.append(self.parse_value(sty))
            self.expect("to")
            self.parse_type()
        else:
            while True:
                oty = self.parse_type()
                ops.append(self.parse_value(oty))
                if not self.accept(","):
                    break
        self.expect(")")
        return ConstExpr(ty, opcode, tuple(ops), frozenset(flags), source_type)

    def typed_value(self) -> Value:
        ty = self.parse_type()
        return self.parse_value(ty)

    # -- attributes --
    def parse_attrs(self, stop_words: set[str] = frozenset()) -> Attrs:
        attrs = Attrs()
        while True:
            t = self.peek()
            if t.kind != "word" or t.text in stop_words:
                if t.kind == "attrgrp":
                    self.next()
                    continue
                return attrs
            word = t.text
            if re.fullmatch(r"i[0-9]+", word) or word in NOT_ATTRS:
                return attrs
            self.next()
            if word in FLAG_ATTRS:
                setattr(attrs, word, True)
            elif word == "range" and self.at("("):
                self.expect("(")
                self.parse_type()
                lo = int(self.next().text)
                self.expect(",")
                hi = int(self.next().text)
                self.expect(")")
                attrs.range = (lo, hi)
            elif word == "nofpclass" and self.at("("):
                self.expect("(")
                while not self.accept(")"):
                    attrs.nofpclass |= FP_CLASSES[self.next().text]
            else:
                if self.at("("):
                    start = self.i
                    self._skip_group("(", ")")
                    attrs.args[word] = " ".join(tok.text for tok in self.toks[start:self.i]
                                                if tok.kind != "nl")[2:-2]
                elif word == "align" and self.peek().kind == "num":
                    attrs.args[word] = self.next().text
                attrs.other.append(word)
