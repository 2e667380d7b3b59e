"""The proposer protocol: what every agent (LLM or offline) exchanges with
the orchestrator.

An agent only *proposes*; it never decides. Every candidate goes through
the verifier, and a refuted candidate comes back to the agent that made it
with its verdict (error kind and counterexample) so it can repair it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from veriopt.verify.verdict import Verdict

LEVELS = ("ir", "c")


@dataclass(frozen=True)
class Task:
    """One function to optimize.

    `source` is the whole input: an LLVM module's text for level "ir", a C
    file's text for level "c". `baseline_ir` is the function's IR after
    clang/LLVM -O3 (a module defining it under the same name), which is both
    the cost to beat and compiler feedback for the agents. `feedback` holds
    further hints (e.g. "remarks": clang's -Rpass-missed lines).
    """

    function: str
    level: str
    source: str
    baseline_ir: str = ""
    source_path: str | None = None
    feedback: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidate:
    """A proposed replacement: a complete module (IR) or C file (C) that
    defines `task.function` under its own name and signature."""

    level: str
    code: str
    origin: str
    rationale: str = ""
    parent: str | None = None          # key of the candidate this one repairs

    @property
    def key(self) -> str:
        """Content hash of the normalised code: duplicates are found by it.

        IR is hashed up to consistent renaming of %names (agents that invent
        fresh value names would otherwise never repeat themselves); the
        verdict cache keys on the exact text instead."""
        return hashlib.sha256(f"{self.level}\0{normalise(self.level, self.code)}".encode()
                              ).hexdigest()[:16]


_IR_NAME = re.compile(r'%(?:[-a-zA-Z$._][-a-zA-Z$._0-9]*|\d+|"[^"]*")')


def normalise(level: str, code: str) -> str:
    """Code without comments and blank lines; IR local names renumbered in
    order of first appearance (an alpha-renaming, so meaning is unchanged)."""
    lines = []
    for line in code.splitlines():
        if level == "ir":
            line = line.split(";", 1)[0] if '"' not in line else line
        line = line.rstrip()
        if line.strip():
            lines.append(line)
    text = "\n".join(lines)
    if level != "ir":
        return text
    names: dict[str, str] = {}
    return _IR_NAME.sub(lambda m: names.setdefault(m.group(0), f"%v{len(names)}"), text)


class Counters:
    """Named event counts, each starting at 0, declared once in `COUNTS`
    (so the orchestrator's and an agent's tallies are written the same
    way); read and bumped as attributes, reported with `as_dict`."""

    COUNTS: tuple[str, ...] = ()

    def __init__(self) -> None:
        for name in self.COUNTS:
            setattr(self, name, 0)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@runtime_checkable
class Proposer(Protocol):
    """An agent. Optional attributes the orchestrator reads when present:
    `task_levels` (tuple of LEVELS it works at; ("ir",) when absent),
    `tokens_used` (LLM tokens spent so far, counted against the token
    budget) and `suggest_inputs(task) -> list[dict[str, int]]` (edge-case
    inputs, by parameter name, that join the concrete pre-checks)."""

    name: str

    def propose(self, task: Task) -> list[Candidate]:
        """Fresh candidates for the task (may be empty)."""
        ...

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        """New candidates answering a refutation of `candidate` (may be empty)."""
        ...
