"""The error types every layer raises, and the exit codes they map to.

The ground floor: it imports nothing of veriopt, so the IR reader, the
semantics, the verifier and the commands can all raise and catch the same
errors without a lower layer importing a higher one.
"""
from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 5


class Unsupported(Exception):
    """A feature or construct the semantics does not model. It becomes an
    `unsupported: <feature>` verdict, never a guess. `node` may be any
    syntax node with a `coord.line` (pycparser's), to name the line."""

    def __init__(self, feature: str, node: object | None = None, line: int | None = None):
        self.construct = feature
        self.line = line if line is not None else getattr(getattr(node, "coord", None),
                                                          "line", None)
        self.feature = f"{feature} at line {self.line}" if self.line else feature
        super().__init__(self.feature)


class BadInput(Exception):
    """Input the user must fix: printed as one line, exit 2, no traceback."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 col: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.col:
                    where += f":{self.col}"
            where += ": "
        return f"{where}error: {self.message}"


class MissingTool(BadInput):
    """A program veriopt needs for this input is not installed (clang-22 for
    C): one line saying how to get it, exit 2 like other input the user must
    fix, never a traceback."""

    def __init__(self, tool: str, why: str, install: str):
        super().__init__(f"{tool} is not installed ({why}); install it with: {install}")
