"""What a fuzzing run did with its inputs: how many it compared, how many it
skipped because the source allows anything there.

Skipped inputs are not failures of the target: the source has undefined
behaviour on them (UBSan trapped, the run faulted or did not finish, or
its outcome depends on memory nobody initialised), so any target outcome
refines it. A user reading "no counterexample in 12 runs" must see that
the other 9,988 inputs were skipped, and why; both fuzzers (C and IR) count
here and the `fuzz` command prints and emits the counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class FuzzStats:
    runs: int = 0               # inputs run on both sides and compared
    discarded: int = 0          # the source has UB there (trapped, faulted) or does not finish
    uninitialised: int = 0      # the source's outcome depends on uninitialised memory
    uninit_checked: bool = True  # False: the compiler could not fix uninitialised memory

    @property
    def skipped(self) -> int:
        return self.discarded + self.uninitialised

    def skipped_summary(self) -> str:
        """`N inputs skipped: ...`, or "" when none was."""
        parts = []
        if self.discarded:
            parts.append(f"{self.discarded} discarded: the source has UB or does not finish")
        if self.uninitialised:
            parts.append(f"{self.uninitialised} where the source reads uninitialised memory")
        return f"{self.skipped} inputs skipped: {'; '.join(parts)}" if parts else ""

    def skipped_text(self) -> str:
        """` (N inputs skipped: ...)`, or "" when none was."""
        summary = self.skipped_summary()
        return f" ({summary})" if summary else ""

    def reason(self) -> str:
        """The UNKNOWN reason of a run that found no difference."""
        text = f"no counterexample in {self.runs} runs" + self.skipped_text()
        if not self.uninit_checked:
            text += (" (reads of uninitialised memory not detected: the compiler lacks "
                     "-ftrivial-auto-var-init)")
        return text

    def to_json(self) -> dict[str, Any]:
        return {"runs": self.runs, "skipped": self.skipped,
                "skipped_uninitialised": self.uninitialised}

    def add(self, other: "FuzzStats") -> None:
        self.runs += other.runs
        self.discarded += other.discarded
        self.uninitialised += other.uninitialised
        self.uninit_checked = self.uninit_checked and other.uninit_checked
