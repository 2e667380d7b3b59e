"""Syntax colour for the report's code: a small tokenizer for C and for
LLVM IR, and HTML spans around the tokens. No dependency (a report must
render on a machine with nothing but veriopt), every token HTML-escaped.

The tokenizer also serves `spans`, which finds a function's lines in a
source file: it needs the same knowledge of comments and strings (a brace
inside a string does not open a block)."""
from __future__ import annotations

import html
import re

C_KEYWORDS = frozenset("""
auto break case const continue default do else enum extern for goto if inline register
restrict return sizeof static struct switch typedef union volatile while _Bool _Static_assert
""".split())
C_TYPES = frozenset("""
void char short int long float double signed unsigned bool size_t ssize_t ptrdiff_t uintptr_t
intptr_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t
""".split())
IR_KEYWORDS = frozenset("""
define declare ret br switch indirectbr invoke resume unreachable fneg add fadd sub fsub mul
fmul udiv sdiv fdiv urem srem frem shl lshr ashr and or xor extractelement insertelement
shufflevector extractvalue insertvalue alloca load store fence cmpxchg atomicrmw getelementptr
trunc zext sext fptrunc fpext fptoui fptosi uitofp sitofp ptrtoint inttoptr bitcast
addrspacecast icmp fcmp phi select call tail musttail freeze to label nsw nuw exact disjoint
nneg samesign inbounds eq ne ugt uge ult ule sgt sge slt sle oeq one olt ole ogt oge ord uno
ueq une true false undef poison null zeroinitializer align noundef nonnull dso_local local_unnamed_addr
unnamed_addr private internal global constant attributes source_filename target datalayout triple
""".split())

# (kind, pattern), tried in order at each position; None: plain text
_C_TOKENS = [
    ("comment", r"//[^\n]*|/\*.*?(?:\*/|\Z)"),
    ("preproc", r"^[ \t]*#[^\n]*"),
    ("string", r'"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?'),
    ("number", r"\b(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?)[uUlLfF]*\b"),
    ("word", r"[A-Za-z_]\w*"),
]
_IR_TOKENS = [
    ("comment", r";[^\n]*"),
    ("string", r'c?"[^"\n]*"?'),
    ("label", r"^[A-Za-z_.$][\w.$-]*:"),
    ("local", r"%[\w.$-]+|%\"[^\"\n]*\""),
    ("global", r"@[\w.$-]+|@\"[^\"\n]*\""),
    ("meta", r"![\w.$-]*|#\d+"),
    ("type", r"\b(?:i\d+|ptr|void|half|bfloat|float|double|fp128|x86_fp80|label|metadata)\b"),
    ("number", r"-?\b(?:0x[0-9A-Fa-f]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?)\b"),
    ("word", r"[A-Za-z_][\w.]*"),
]


def _compile(rules: list[tuple[str, str]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in rules),
                      re.M | re.S)


_PATTERNS = {"c": _compile(_C_TOKENS), "ir": _compile(_IR_TOKENS)}


def tokens(text: str, lang: str) -> list[tuple[str | None, str]]:
    """`text` cut into (kind, piece); kind None for what has no colour.
    The pieces concatenate back to `text` exactly."""
    out: list[tuple[str | None, str]] = []
    pos = 0
    for m in _PATTERNS[lang].finditer(text):
        if m.start() > pos:
            out.append((None, text[pos:m.start()]))
        out.append((_kind(m.lastgroup or "", m.group(), lang), m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((None, text[pos:]))
    return out


def _kind(group: str, word: str, lang: str) -> str | None:
    if group != "word":
        return group
    if lang == "c":
        return "keyword" if word in C_KEYWORDS else "type" if word in C_TYPES else None
    return "keyword" if word in IR_KEYWORDS else None


def highlight(text: str, lang: str) -> str:
    """`text` as HTML with <span class="tk-KIND"> around coloured tokens.
    A multi-line token (a C block comment) is closed and reopened at each
    newline, so the result can be split into lines safely."""
    out = []
    for kind, piece in tokens(text, lang):
        escaped = html.escape(piece, quote=False)
        if kind is None:
            out.append(escaped)
            continue
        out.append("\n".join(f'<span class="tk-{kind}">{part}</span>' if part else ""
                             for part in escaped.split("\n")))
    return "".join(out)


def highlight_lines(text: str, lang: str) -> list[str]:
    """`highlight`, one HTML string per line of `text` (so a multi-line
    comment keeps its colour on every line of a line-by-line diff)."""
    if not text:
        return []
    lines = highlight(text, lang).split("\n")
    return lines[:-1] if text.endswith("\n") else lines


# colours of the token kinds, for the page's CSS (one place)
TOKEN_CSS = """
.tk-comment{color:#6a737d;font-style:italic}.tk-preproc{color:#8250df}
.tk-string{color:#0a3069}.tk-number{color:#0550ae}.tk-keyword{color:#cf222e;font-weight:600}
.tk-type{color:#953800}.tk-local{color:#116329}.tk-global{color:#8250df;font-weight:600}
.tk-meta{color:#6e7781}.tk-label{color:#0550ae;font-weight:600}
"""
