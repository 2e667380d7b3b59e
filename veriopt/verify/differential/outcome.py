"""What one pair came to: each checker's answer (`Side`), the category of
the two together (`classify`), and the record of the pair (`Outcome`).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from veriopt.limits import SOLVER_SECONDS

BOTH_CORRECT = "both-correct"
BOTH_INCORRECT = "both-incorrect"
UNSOUND = "unsound"
FALSE_ALARM = "false-alarm"
VERIOPT_UNDECIDED = "veriopt-undecided"
ALIVE_UNDECIDED = "alive-undecided"
INVALID = "invalid"
CATEGORIES = (BOTH_CORRECT, BOTH_INCORRECT, UNSOUND, FALSE_ALARM, VERIOPT_UNDECIDED,
              ALIVE_UNDECIDED, INVALID)
DISAGREEMENTS = (UNSOUND, FALSE_ALARM, VERIOPT_UNDECIDED)
ERROR_KIND = "error-kind"   # both refute, with different error kinds (kept, not a failure)
DECIDED = ("correct", "incorrect")

# re-runs of a disagreement with fewer kinds of inputs: (name, alive-tv flags, VerifyOptions)
VARIANTS = (
    ("no-undef-input", ("-disable-undef-input",), {"disable_undef_input": True}),
    ("no-undef-no-poison-input", ("-disable-undef-input", "-disable-poison-input"),
     {"disable_undef_input": True, "disable_poison_input": True}),
)

# seconds per solver query, both checkers: half their own default, so that a
# run of hundreds of pairs stays short (a timeout is "undecided", never a verdict)
PAIR_QUERY_SECONDS = SOLVER_SECONDS / 2


@dataclass
class Side:
    """One checker's answer on one pair."""
    status: str                 # correct incorrect unknown unsupported bounded crashed timeout invalid
    error: str | None = None    # Alive2's error kind when incorrect
    reason: str | None = None   # why not decided
    seconds: float = 0.0
    output: str = ""            # alive-tv's output / veriopt's rendering

    @property
    def decided(self) -> bool:
        return self.status in DECIDED

    def short(self) -> str:
        if self.status == "incorrect":
            return f"incorrect ({self.error})"
        if self.status in DECIDED:
            return self.status
        return f"{self.status} ({one_line(self.reason)})" if self.reason else self.status


def one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def group_key(text: str) -> str:
    """Reasons that differ only in numbers, names and quoted terms group together."""
    text = re.sub(r"\|[^|]*\|", "_", text)
    text = re.sub(r"[%@][\w.]+|#x[0-9a-f]+|\b\d+\b", "N", text)
    return text[:70]


@dataclass
class Outcome:
    index: int
    seed: str
    kind: str = ""
    description: str = ""
    text: str = ""
    alive: Side | None = None
    veriopt: Side | None = None
    category: str = INVALID
    errors_agree: bool | None = None
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    kept: str | None = None
    seconds: float = 0.0
    problem: str | None = None   # generation failure, or what the wall-clock limit cut

    def to_json(self, with_text: bool = True) -> dict:
        d = asdict(self)
        for k in ("alive", "veriopt"):
            if d[k]:
                d[k].pop("output", None)
        if not with_text:
            d.pop("text")
        return d


def classify(veriopt_status: str, alive_status: str) -> str:
    """The category of two statuses; alive-tv undecided outranks veriopt's answer."""
    if veriopt_status == "invalid" or alive_status == "invalid":
        return INVALID
    if alive_status not in DECIDED:
        return ALIVE_UNDECIDED
    if veriopt_status == "correct":
        return BOTH_CORRECT if alive_status == "correct" else UNSOUND
    if veriopt_status == "incorrect":
        return BOTH_INCORRECT if alive_status == "incorrect" else FALSE_ALARM
    return VERIOPT_UNDECIDED


def categorize(out: Outcome) -> None:
    """Set the outcome's category from both sides (a side that never
    answered counts as a timeout)."""
    if out.problem and out.alive is None:
        out.category = INVALID
        return
    a = out.alive.status if out.alive else "timeout"
    v = out.veriopt.status if out.veriopt else "timeout"
    out.category = classify(v, a)
    if out.category == BOTH_INCORRECT:
        out.errors_agree = out.alive.error == out.veriopt.error
