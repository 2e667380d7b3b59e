"""Tokens of LLVM's canonical printing, the words the parser knows by
kind, and `TokenStream`, the cursor every stage of the parser reads with
(newlines are tokens, skipped while inside brackets that span lines).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
TYPE_WORDS = {"void", "ptr", "label", "float", "double", "half", "bfloat", "fp128", "x86_fp80",
              "ppc_fp128", "x86_amx", "token", "metadata"}
VALUE_WORDS = {"splat", "undef", "poison", "zeroinitializer", "null", "true", "false", "none",
               "blockaddress", "dso_local_equivalent", "no_cfi", "getelementptr", "icmp",
               "select", "extractelement", "insertelement", "shufflevector"}
NOT_ATTRS = TYPE_WORDS | VALUE_WORDS | CAST_OPS | BINARY_OPS
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
    """All tokens with their line numbers; whitespace and comments dropped."""
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


def strip_name(s: str) -> str:
    """`%x`, `@f`, `%"a b"` -> the bare name."""
    name = s[1:]
    if name.startswith('"'):
        name = name[1:-1]
    return name


class TokenStream:
    """A cursor over the tokens of one module."""

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
