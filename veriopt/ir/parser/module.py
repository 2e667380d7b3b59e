"""A module: target lines, function definitions and declarations with
their blocks, and attribute groups (resolved into each function's
attributes).
"""
from __future__ import annotations

from veriopt.ir.model import Attrs, Block, Function, GlobalVar, Module, Param
from veriopt.ir.parser.instructions import InstrParser
from veriopt.ir.parser.lexer import LINKAGE, strip_name
from veriopt.ir.types import OpaqueType


class Parser(InstrParser):
    """Reads a whole module."""

    def parse_module(self) -> Module:
        functions: dict[str, Function] = {}
        global_vars: dict[str, GlobalVar] = {}
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
            if t.kind == "local" and self.peek(1).text == "=" and self.peek(2).text == "type":
                name = self.next().text
                self.next()
                self.next()
                opaque = self.accept("opaque")
                self.named_types = {**self.named_types,
                                    name: OpaqueType(name) if opaque else self.parse_type()}
                continue
            if t.text in ("define", "declare"):
                fn = self.parse_function()
                functions[fn.name] = fn
                continue
            if t.kind == "global" and self.peek(1).text == "=":
                var = self.parse_global()
                if var is not None:
                    global_vars[var.name] = var
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
            for instr in fn.instructions():
                if "fn_attrs" in instr.extra:
                    instr.extra["fn_attrs"] = [a for raw in instr.extra["fn_attrs"]
                                               for a in groups.get(raw, [raw])]
        return Module(functions, datalayout, triple, globals=global_vars)

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
        name = strip_name(self.next().text)
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
                        pname = strip_name(self.next().text)
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


def parse_module_text(text: str) -> Module:
    """Parse LLVM's canonical printing of a module."""
    module = Parser(text).parse_module()
    module.text = text
    for fn in module.functions.values():
        fn.module_text = text
        fn.globals = module.globals
        fn.functions = module.functions
    return module
