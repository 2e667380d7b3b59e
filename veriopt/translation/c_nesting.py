"""How deeply a C file nests, for one-line errors instead of crashes.

clang-22 overflows its stack at a few thousand nested parentheses or
unary operators, pycparser's recursive-descent parser uses about eight
Python frames per parenthesis, and the semantics walk the AST recursively.
A file beyond what they handle is bad input with a position (`file:line:
nesting too deep`), never a SIGSEGV or a RecursionError.
"""
from __future__ import annotations

from pycparser import c_ast

# Deepest AST (an expression's operators, statements inside statements) the
# semantics accept: the recursive walks after parsing stay far from Python's
# recursion limit. Real code stays below 50.
MAX_AST_DEPTH = 250
# Python frames allowed while pycparser parses (about 8 per parenthesis)
PARSE_RECURSION_LIMIT = 6000

_OPEN, _CLOSE = "([{", ")]}"


def deepest_brackets(text: str) -> tuple[int, int]:
    """(deepest nesting of (), [] and {}, the line where it is reached),
    skipping comments and string and character literals."""
    depth = best = 0
    line = best_line = 1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
            continue
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        elif ch in _OPEN:
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    return best, best_line


def deepest_node(ast: c_ast.Node) -> tuple[int, int | None]:
    """(depth of the AST, the line of its deepest node), walked without
    recursion so that the check itself cannot overflow."""
    best, best_line = 0, None
    todo: list[tuple[c_ast.Node, int]] = [(ast, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > best:
            best = depth
            coord = getattr(node, "coord", None)
            best_line = getattr(coord, "line", None) or best_line
        todo.extend((child, depth + 1) for _, child in node.children())
    return best, best_line
