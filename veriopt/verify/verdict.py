"""Verdicts: the one vocabulary every checker (IR refinement, C equivalence,
fuzzing) answers in, with alive-tv's wording and the project's exit codes.

The lattice is ordered so that "could not confirm" is never "pass": only
`CORRECT` is success, and only code that has a proof may construct it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.Enum):
    CORRECT = "correct"          # proved for every input and every iteration count
    BOUNDED = "bounded"          # no counterexample within K loop iterations: not a proof
    INCORRECT = "incorrect"
    UNKNOWN = "unknown"          # timeout, solver gave up, resource limit
    UNSUPPORTED = "unsupported"  # a feature we do not model


EXIT_CODES = {
    Status.CORRECT: 0,
    Status.INCORRECT: 1,
    Status.UNKNOWN: 3,
    Status.UNSUPPORTED: 3,
    Status.BOUNDED: 4,
}

# Alive2's error kinds, in the order its checks run.
ERR_UB = "Source is more defined than target"
ERR_RETURN_DOMAIN = "Source and target don't have the same return domain"
ERR_POISON = "Target is more poisonous than source"
ERR_UNDEF = "Target's return value is more undefined"
ERR_VALUE = "Value mismatch"
ERR_MEMORY = "Mismatch in memory"
ERR_SRC_POISON = "Source returns poison"
ERR_SRC_UNREACHABLE = "Source has reachable unreachable"
ERR_SRC_GUARDABLE_UB = "Source has guardable UB"
ERR_TGT_GUARDABLE_UB = "Target has guardable UB"
ERR_TGT_POISON = "Target returns poison"
ERR_TGT_UNDEF = "Target returns undef"


@dataclass
class Counterexample:
    """Concrete values that show a refinement failure.

    Each list holds (name, printed value) pairs; values are printed the way
    alive-tv prints them (`#x05 (5)`, `poison`, `undef`, `< ... >`).
    `replayed` says how the example was confirmed before being shown.
    """

    inputs: list[tuple[str, str]] = field(default_factory=list)
    source: list[tuple[str, str]] = field(default_factory=list)
    target: list[tuple[str, str]] = field(default_factory=list)
    source_value: str | None = None
    target_value: str | None = None
    replayed: list[str] = field(default_factory=list)
    memory: str | None = None   # `Mismatch in pointer(...)`: where final memory differs

    def render(self) -> str:
        lines = ["Example:"]
        lines += [f"{n} = {v}" for n, v in self.inputs]
        for title, rows in (("Source:", self.source), ("Target:", self.target)):
            lines.append("")
            lines.append(title)
            lines += [f"{n} = {v}" for n, v in rows]
        if self.memory:
            lines.append(self.memory)
        if self.source_value is not None or self.target_value is not None:
            lines.append("Source value: " + (self.source_value or "(none)"))
            lines.append("Target value: " + (self.target_value or "(none)"))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": dict(self.inputs),
            "source": dict(self.source),
            "target": dict(self.target),
            "source_value": self.source_value,
            "target_value": self.target_value,
            "replayed": list(self.replayed),
            **({"memory": self.memory} if self.memory else {}),
        }


@dataclass
class Verdict:
    status: Status
    error: str | None = None        # Alive2 error kind for INCORRECT
    reason: str | None = None       # why UNKNOWN / UNSUPPORTED
    counterexample: Counterexample | None = None
    bound: int | None = None        # BOUNDED: loop iterations checked (none beyond)
    name: str | None = None         # which pair (src/tgt, src1/tgt1, ...)
    seconds: float = 0.0
    solver: str | None = None
    note: str | None = None         # extra information, e.g. the reverse direction
    pair_text: tuple[str, str] | None = field(default=None, repr=False)  # the two functions' IR

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    @classmethod
    def bounded_to(cls, bound: int, detail: str | None = None, solver: str | None = None
                   ) -> "Verdict":
        """No counterexample within `bound` loop iterations; executions that
        need more were not checked, so this is never `correct`."""
        return cls(Status.BOUNDED, bound=bound, solver=solver, note=detail)

    @classmethod
    def unsupported(cls, feature: str) -> "Verdict":
        return cls(Status.UNSUPPORTED, reason=feature)

    @classmethod
    def unknown(cls, reason: str) -> "Verdict":
        return cls(Status.UNKNOWN, reason=reason)

    def render(self) -> str:
        """Text in alive-tv's words, so it can be pasted into an LLVM issue.
        Compact: the ERROR line is the second line (callers rely on it)."""
        return self._text(gap=[])

    def render_spaced(self) -> str:
        """The same text laid out as alive-tv prints it under a pair: a blank
        line between "Transformation doesn't verify!" and the ERROR line."""
        return self._text(gap=[""])

    def _text(self, gap: list[str]) -> str:
        if self.status is Status.CORRECT:
            text = "Transformation seems to be correct!"
            return text + (f"\n{self.note}" if self.note else "")
        if self.status is Status.BOUNDED:
            text = (f"Transformation is correct up to {self.bound} loop iterations "
                    f"(bounded, not a proof)")
            return text + (f"\nnote: {self.note}" if self.note else "")
        if self.status is Status.UNSUPPORTED:
            return f"ERROR: Unsupported: {self.reason}"
        if self.status is Status.UNKNOWN:
            if self.reason == "timeout":
                return "ERROR: Timeout"
            return f"ERROR: SMT Error: {self.reason}"
        lines = ["Transformation doesn't verify!", *gap, f"ERROR: {self.error}"]
        if self.counterexample is not None:
            lines += ["", self.counterexample.render()]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.status.value,
            "error": self.error,
            "reason": self.reason,
            "bound": self.bound,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "seconds": round(self.seconds, 4),
            "solver": self.solver,
            "note": self.note,
        }


# alive-tv's closing block: (JSON key, line, the verdicts counted on it)
SUMMARY_LINES = (("correct", "correct transformations", (Status.CORRECT,)),
                 ("incorrect", "incorrect transformations", (Status.INCORRECT,)),
                 ("failed_to_prove", "failed-to-prove transformations",
                  (Status.UNKNOWN, Status.BOUNDED)),
                 ("errors", "Alive2 errors", (Status.UNSUPPORTED,)))


def summary_counts(verdicts: list[Verdict]) -> dict[str, int]:
    """The Summary block's counts, keyed for JSON (`failed_to_prove`, ...)."""
    return {key: sum(v.status in statuses for v in verdicts)
            for key, _, statuses in SUMMARY_LINES}


def summary(verdicts: list[Verdict]) -> str:
    """alive-tv's `Summary:` block (a bounded check counts as failed-to-prove:
    it is not a proof)."""
    counts = summary_counts(verdicts)
    return "\n".join(["Summary:"] + [f"  {counts[key]} {label}"
                                     for key, label, _ in SUMMARY_LINES])


def combine(verdicts: list[Verdict]) -> Verdict:
    """The verdict of a file holding several pairs: the worst one wins.

    incorrect > unknown > unsupported > bounded > correct, so one refuted
    pair makes the whole file refuted and one unproved pair keeps it from
    `correct`.
    """
    if not verdicts:
        return Verdict.unsupported("no function pairs")
    rank = {Status.INCORRECT: 0, Status.UNKNOWN: 1, Status.UNSUPPORTED: 2, Status.BOUNDED: 3,
            Status.CORRECT: 4}
    return min(verdicts, key=lambda v: rank[v.status])


def counterexample_from_json(data: dict[str, Any] | None) -> Counterexample | None:
    """Inverse of `Counterexample.to_json`: stored verdicts come back whole,
    so a resumed run can route a cached counterexample to a repair."""
    if not data:
        return None
    return Counterexample(
        inputs=list(data.get("inputs", {}).items()),
        source=list(data.get("source", {}).items()),
        target=list(data.get("target", {}).items()),
        source_value=data.get("source_value"),
        target_value=data.get("target_value"),
        replayed=list(data.get("replayed", [])), memory=data.get("memory"))


def verdict_from_json(data: dict[str, Any]) -> Verdict:
    """Inverse of `Verdict.to_json` (the optimizer's store caches verdicts)."""
    return Verdict(
        status=Status(data["verdict"]), error=data.get("error"), reason=data.get("reason"),
        counterexample=counterexample_from_json(data.get("counterexample")),
        bound=data.get("bound"), name=data.get("name"), note=data.get("note"),
        seconds=float(data.get("seconds") or 0.0), solver=data.get("solver"))
