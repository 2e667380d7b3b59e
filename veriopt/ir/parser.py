"""Parse LLVM's canonical printing of a module into the typed view of
`model.py`.

The text always comes from llvmlite (`loader.py`), which has already parsed,
verified and re-printed it with LLVM 22's AsmWriter: so this parser needs to
know only the canonical spellings, and it never sees malformed input. What
it does not understand it keeps as opaque data, for the verifier to report
as unsupported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from veriopt.ir.model import (
    AggregateConst, Attrs, Block, ConstExpr, Function, GlobalRef, Instr, IntConst, LocalRef,
    Module, OpaqueConst, Param, PoisonConst, UndefConst, Value, ZeroConst,
)
from veriopt.ir.types import (
    LABEL, VOID, ArrayType, IntType, OpaqueType, StructType, Type, VectorType,
)

_TOKEN = re.compile(r"""
    (?P<nl>\n)
  | (?P<ws>[ \t\r]+)
  | (?P<comment>;[^\n]*)
  | (?P<str>c?"[^"]*")
  | (?P<local>%(?:"[^"]*"|[-a-zA-Z$._0-9]+))
  | (?P<global>@(?:"[^"]*"|[-a-zA-Z$._0-9]+))
  | (?P<meta>![-a-zA-Z$._0-9]*)
  | (?P<attrgrp>\#[0-9]+)
  | (?P<hex>-?0x[0-9a-fA-FKLMHR]+)
  | (?P<num>-?[0-9]+(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?)?)
  | (?P<word>[a-zA-Z_$.][-a-zA-Z_$.0-9]*:?)
  | (?P<punct>\.\.\.|[()\[\]{}<>,=*:|])
""", re.VERBOSE)

CAST_OPS = {"trunc", "zext", "sext", "bitcast", "ptrtoint", "inttoptr", "fptrunc", "fpext",
            "fptoui", "fptosi", "uitofp", "sitofp", "addrspacecast", "ptrtoaddr"}
BINARY_OPS = {"add", "sub", "mul", "udiv", "sdiv", "urem", "srem", "shl", "lshr", "ashr",
              "and", "or", "xor", "fadd", "fsub", "fmul", "fdiv", "frem"}
INT_FLAGS = {"nuw", "nsw", "exact", "disjoint", "nneg", "samesign", "inbounds", "nusw"}
FAST_MATH = {"nnan", "ninf", "nsz", "arcp", "contract", "afn", "reassoc", "fast"}
CALL_PREFIX = {"tail", "musttail", "notail"}
ATTR_WITH_ARG = {"range", "align", "dereferenceable", "dereferenceable_or_null", "byval",
                 "sret", "elementtype", "inalloca", "preallocated", "nofpclass", "memory",
                 "captures", "initializes", "alignstack", "allocsize", "vscale_range",
                 "uwtable", "allockind", "dead_on_return"}
TYPE_WORDS = {"void", "ptr", "label", "float", "double", "half", "bfloat", "fp128", "x86_fp80",
              "ppc_fp128", "x86_amx", "token", "metadata"}
VALUE_WORDS = {"splat", "undef", "poison", "zeroinitializer", "null", "true", "false", "none",
               "blockaddress", "dso_local_equivalent", "no_cfi", "getelementptr", "icmp",
               "select", "extractelement", "insertelement", "shufflevector"}
_NOT_ATTRS = TYPE_WORDS | VALUE_WORDS | CAST_OPS | BINARY_OPS
LINKAGE = {"private", "internal", "available_externally", "linkonce", "weak", "common",
           "appending", "extern_weak", "linkonce_odr", "weak_odr", "external", "dso_local",
           "dso_preemptable", "hidden", "protected", "default", "unnamed_addr",
           "local_unnamed_addr", "fastcc", "coldcc", "ccc", "cc"}


@dataclass
class Tok:
    kind: str
    text: str
    line: int


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    line = 1
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            toks.append(Tok("other", text[pos], line))
            pos += 1
            continue
        kind = m.lastgroup or "other"
        s = m.group()
        if kind == "nl":
            toks.append(Tok("nl", s, line))
            line += 1
        elif kind not in ("ws", "comment"):
            toks.append(Tok(kind, s, line))
        pos = m.end()
    toks.append(Tok("eof", "", line))
    return toks


def _strip_name(s: str) -> str:
    name = s[1:]
    if name.startswith('"'):
        name = name[1:-1]
    return name


class Parser:
    def __init__(self, text: str):
        self.toks = tokenize(text)
        self.i = 0
        self.skip_nl = 0  # >0 while inside brackets spanning lines

    # -- token helpers --
    def peek(self, k: int = 0) -> Tok:
        j = self.i
        seen = 0
        while True:
            t = self.toks[j]
            if t.kind == "nl" and self.skip_nl:
                j += 1
                continue
            if seen == k:
                return t
            seen += 1
            j += 1

    def next(self) -> Tok:
        while self.toks[self.i].kind == "nl" and self.skip_nl:
            self.i += 1
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, text: str) -> bool:
        return self.peek().text == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.next()
            return True
        return False

    def expect(self, text: str) -> Tok:
        t = self.next()
        if t.text != text:
            raise SyntaxError(f"line {t.line}: expected {text!r}, found {t.text!r}")
        return t

    def skip_newlines(self) -> None:
        while self.toks[self.i].kind == "nl":
            self.i += 1

    def skip_line(self, inside_body: bool = False) -> None:
        """Skip to the end of the current statement (brackets may span
        lines). Inside a function body, stop before its closing brace."""
        depth = 0
        while True:
            t = self.toks[self.i]
            if t.kind == "eof" or (inside_body and t.text == "}" and depth <= 0):
                return
            if t.text in ("(", "[", "{", "<"):
                depth += 1
            elif t.text in (")", "]", "}", ">"):
                depth -= 1
            if inside_body and t.kind == "nl" and depth <= 0:
                return
            self.i += 1
            if t.kind == "nl" and depth <= 0:
                return

    # -- types --
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
            ty = OpaqueType("ptr")
            if self.at("addrspace"):
                self.next()
                self.expect("(")
                space = self.next().text
                self.expect(")")
                ty = OpaqueType(f"ptr addrspace({space})")
        elif t.text == "label":
            ty = LABEL
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
            return LocalRef(_strip_name(t.text), ty)
        if t.kind == "global":
            self.next()
            return GlobalRef(_strip_name(t.text), ty)
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
            if self.peek().kind == "str":
                self.next()
            elif self.at("{"):
                self._skip_group("{", "}")
            return OpaqueConst(ty, "metadata")
        if t.kind == "word" and (text in CAST_OPS or text in BINARY_OPS or text in
                                 ("getelementptr", "icmp", "select", "extractelement",
                                  "insertelement", "shufflevector")):
            return self._const_expr(ty)
        # something else (blockaddress, dso_local_equivalent, ...): keep opaque
        self.next()
        if self.at("("):
            self._skip_group("(", ")")
        return OpaqueConst(ty, text)

    def _skip_group(self, open_: str, close: str) -> None:
        depth = 0
        while True:
            tk = self.next()
            if tk.kind == "eof":
                return
            depth += tk.text == open_
            depth -= tk.text == close
            if depth == 0:
                return

    def _const_expr(self, ty: Type) -> Value:
        opcode = self.next().text
        flags = set()
        while self.peek().text in INT_FLAGS:
            flags.add(self.next().text)
        self.expect("(")
        ops: list[Value] = []
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
        return ConstExpr(ty, opcode, tuple(ops), frozenset(flags))

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
            if re.fullmatch(r"i[0-9]+", word) or word in _NOT_ATTRS:
                return attrs
            self.next()
            if word == "noundef":
                attrs.noundef = True
            elif word == "zeroext":
                attrs.zeroext = True
            elif word == "signext":
                attrs.signext = True
            elif word == "range" and self.at("("):
                self.expect("(")
                self.parse_type()
                lo = int(self.next().text)
                self.expect(",")
                hi = int(self.next().text)
                self.expect(")")
                attrs.range = (lo, hi)
            else:
                if self.at("("):
                    self._skip_group("(", ")")
                elif word == "align" and self.peek().kind == "num":
                    self.next()
                attrs.other.append(word)

    # -- module --
    def parse_module(self) -> Module:
        functions: dict[str, Function] = {}
        groups: dict[str, list[str]] = {}
        datalayout = triple = ""
        while True:
            self.skip_newlines()
            t = self.peek()
            if t.kind == "eof":
                break
            if t.text == "target":
                self.next()
                which = self.next().text
                self.expect("=")
                val = self.next().text.strip('"')
                if which == "datalayout":
                    datalayout = val
                else:
                    triple = val
                continue
            if t.text in ("define", "declare"):
                fn = self.parse_function()
                functions[fn.name] = fn
                continue
            if t.text == "attributes" and self.peek(1).kind == "attrgrp":
                self.next()
                group = self.next().text
                self.expect("=")
                groups[group] = self._attribute_group()
                continue
            self.skip_line()
        for fn in functions.values():
            fn.fn_attrs = [a for raw in fn.fn_attrs for a in groups.get(raw, [raw])]
        return Module(functions, datalayout, triple)

    def _attribute_group(self) -> list[str]:
        """`{ nounwind memory(none) "k"="v" }` as ['nounwind', 'memory(none)', '"k"="v"']."""
        self.expect("{")
        attrs: list[str] = []
        while not self.at("}") and self.peek().kind != "eof":
            tok = self.next()
            if tok.text == "(" and attrs:
                depth, text = 1, "("
                while depth:
                    inner = self.next()
                    depth += (inner.text == "(") - (inner.text == ")")
                    text += inner.text
                attrs[-1] += text
            elif tok.text == "=" and attrs:
                attrs[-1] += "=" + self.next().text
            else:
                attrs.append(tok.text)
        self.expect("}")
        return attrs

    def parse_function(self) -> Function:
        is_decl = self.next().text == "declare"
        while self.peek().text in LINKAGE:
            self.next()
        ret_attrs = self.parse_attrs()
        ret_type = self.parse_type()
        name = _strip_name(self.next().text)
        self.expect("(")
        params: list[Param] = []
        idx = 0
        if not self.accept(")"):
            while True:
                if self.accept("..."):
                    params.append(Param("...", OpaqueType("varargs"), Attrs()))
                else:
                    pty = self.parse_type()
                    pattrs = self.parse_attrs()
                    pname = str(idx)
                    if self.peek().kind == "local":
                        pname = _strip_name(self.next().text)
                    params.append(Param(pname, pty, pattrs))
                idx += 1
                if self.accept(")"):
                    break
                self.expect(",")
        fn_attrs: list[str] = []
        while self.peek().kind not in ("nl", "eof") and not self.at("{"):
            fn_attrs.append(self.next().text)
        blocks: list[Block] = []
        if not is_decl:
            self.expect("{")
            blocks = self.parse_body(params)
        return Function(name, ret_type, params, blocks, ret_attrs, fn_attrs, is_decl)

    def parse_body(self, params: list[Param]) -> list[Block]:
        blocks: list[Block] = []
        # LLVM numbers unnamed values in order: args, then blocks/instructions.
        counter = sum(1 for p in params if p.name.isdigit())
        current: Block | None = None
        while True:
            self.skip_newlines()
            t = self.peek()
            if t.text == "}":
                self.next()
                break
            if t.kind == "word" and t.text.endswith(":"):
                self.next()
                label = t.text[:-1].strip('"')
                current = Block(label, [])
                blocks.append(current)
                if label.isdigit():
                    counter = int(label) + 1
                continue
            if t.kind == "num" and self.peek(1).text == ":":
                self.next()
                self.next()
                current = Block(t.text, [])
                blocks.append(current)
                counter = int(t.text) + 1
                continue
            if t.kind == "str" and self.peek(1).text == ":":
                self.next()
                self.next()
                current = Block(t.text.strip('"'), [])
                blocks.append(current)
                continue
            if current is None:
                current = Block(str(counter), [])
                counter += 1
                blocks.append(current)
            start = self.i
            instr = self.parse_instr()
            instr.text = " ".join(tok.text for tok in self.toks[start:self.i]
                                  if tok.kind != "nl").replace(" ,", ",")
            current.instrs.append(instr)
        return blocks

    def parse_instr(self) -> Instr:
        line = self.peek().line
        name = None
        if self.peek().kind == "local" and self.peek(1).text == "=":
            name = _strip_name(self.next().text)
            self.next()
        op = self.next().text
        instr = self._instr_body(op, name)
        instr.line = line
        # trailing operand bundles, metadata, attribute groups
        while self.peek().kind not in ("nl", "eof") and not self.at("}"):
            tok = self.next()
            if tok.text == "[" and instr.opcode == "call":
                instr.extra["bundles"] = True
            elif tok.kind == "meta" and len(tok.text) > 1 and tok.text[1].isalpha():
                instr.extra.setdefault("metadata", []).append(tok.text[1:])
        return instr

    def _flags(self) -> frozenset[str]:
        flags = set()
        while self.peek().text in INT_FLAGS or self.peek().text in FAST_MATH:
            flags.add(self.next().text)
        return frozenset(flags)

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
            c = self.typed_value()
            self.expect(",")
            a = self.typed_value()
            self.expect(",")
            b = self.typed_value()
            return Instr(name, op, a.type, [c, a, b], flags)
        if op == "freeze":
            v = self.typed_value()
            return Instr(name, op, v.type, [v])
        if op == "phi":
            self._flags()
            ty = self.parse_type()
            incoming = []
            while True:
                self.expect("[")
                v = self.parse_value(ty)
                self.expect(",")
                blk = _strip_name(self.next().text)
                self.expect("]")
                incoming.append((v, blk))
                if not self.accept(","):
                    break
            return Instr(name, op, ty, [v for v, _ in incoming], extra={"incoming": incoming})
        if op == "br":
            if self.at("label"):
                self.next()
                target = _strip_name(self.next().text)
                return Instr(None, op, VOID, [], extra={"targets": [target]})
            c = self.typed_value()
            self.expect(",")
            self.expect("label")
            t1 = _strip_name(self.next().text)
            self.expect(",")
            self.expect("label")
            t2 = _strip_name(self.next().text)
            return Instr(None, op, VOID, [c], extra={"targets": [t1, t2]})
        if op == "switch":
            v = self.typed_value()
            self.expect(",")
            self.expect("label")
            default = _strip_name(self.next().text)
            self.expect("[")
            self.skip_nl += 1
            cases = []
            while not self.at("]"):
                cv = self.typed_value()
                self.expect(",")
                self.expect("label")
                cases.append((cv, _strip_name(self.next().text)))
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
            v = self.typed_value()
            self.expect(",")
            idx = self.typed_value()
            assert isinstance(v.type, VectorType)
            return Instr(name, op, v.type.elem, [v, idx])
        if op == "insertelement":
            v = self.typed_value()
            self.expect(",")
            e = self.typed_value()
            self.expect(",")
            idx = self.typed_value()
            return Instr(name, op, v.type, [v, e, idx])
        if op == "shufflevector":
            a = self.typed_value()
            self.expect(",")
            b = self.typed_value()
            self.expect(",")
            mask = self.typed_value()
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
            callee = _strip_name(callee_tok.text) if callee_tok.kind in ("global", "local") else callee_tok.text
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
            return Instr(name, "call", ty, args, flags,
                         extra={"callee": callee, "ret_attrs": ret_attrs, "arg_attrs": arg_attrs})
        # anything else (load, store, alloca, getelementptr, atomics, ...)
        self.skip_line(inside_body=True)
        return Instr(name, op, OpaqueType("unknown"), [])


def parse_module_text(text: str) -> Module:
    """Parse LLVM's canonical printing of a module."""
    module = Parser(text).parse_module()
    module.text = text
    for fn in module.functions.values():
        fn.module_text = text
    return module
