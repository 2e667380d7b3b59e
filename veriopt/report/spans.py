"""Where a function stands in a source file: its first and last line (for
the SARIF location of a finding) and its text (for a SARIF fix that
replaces it). C and LLVM IR; comments and strings are skipped with the
highlighter's tokenizer, so a brace in a string does not count."""
from __future__ import annotations

import re

from veriopt.report.highlight import tokens


def function_lines(text: str, lang: str, name: str) -> tuple[int, int] | None:
    """1-based first and last line of the definition of `name`, or None
    when it is not found (a declaration alone is not a definition)."""
    span = _ir_span(text, name) if lang == "ir" else _c_span(text, name)
    if span is None:
        return None
    start, end = span
    return text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 1


def function_text(text: str, lang: str, name: str) -> str | None:
    """The whole lines of the definition of `name` (no final newline)."""
    lines = function_lines(text, lang, name)
    if lines is None:
        return None
    return "\n".join(text.split("\n")[lines[0] - 1:lines[1]])


def _ir_span(text: str, name: str) -> tuple[int, int] | None:
    quoted = re.escape(name)
    head = re.search(rf"^define\b[^\n]*@(?:{quoted}|\"{quoted}\")\(", text, re.M)
    if head is None:
        return None
    close = re.compile(r"^}", re.M).search(text, head.end())
    return None if close is None else (head.start(), close.start())


def _code_only(text: str) -> str:
    """`text` with comments, strings and preprocessor lines blanked out
    (same length, newlines kept), so offsets still match the source."""
    return "".join(re.sub(r"[^\n]", " ", piece) if kind in ("comment", "string", "preproc")
                   else piece for kind, piece in tokens(text, "c"))


def _c_span(text: str, name: str) -> tuple[int, int] | None:
    code = _code_only(text)
    for m in re.finditer(rf"\b{re.escape(name)}\s*\(", code):
        if _depth(code, 0, m.start()) != 0:
            continue
        params_end = _match(code, m.end() - 1, "(", ")")
        body = re.compile(r"\s*\{").match(code, params_end + 1) if params_end >= 0 else None
        if body is None:
            continue                         # a declaration or a call
        end = _match(code, body.end() - 1, "{", "}")
        if end < 0:
            return None
        before = max(code.rfind(c, 0, m.start()) for c in ";{}")
        gap = code[before + 1:m.start()]
        return before + 1 + len(gap) - len(gap.lstrip()), end
    return None


def _depth(code: str, start: int, end: int) -> int:
    return code.count("{", start, end) - code.count("}", start, end)


def _match(code: str, open_at: int, opening: str, closing: str) -> int:
    """Offset of the bracket closing the one at `open_at`, or -1."""
    depth = 0
    for i in range(open_at, len(code)):
        depth += (code[i] == opening) - (code[i] == closing)
        if depth == 0:
            return i
    return -1
