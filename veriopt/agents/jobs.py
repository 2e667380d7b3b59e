"""What an optimizer run works on and what it produces: the jobs (one per
level of the task), the budget and policy the run obeys, one record per
candidate, and the run's result.

Plain data, kept apart from the run loop (orchestrator.py) and the final
re-check (recheck.py) so the report writer and the commands can read a
result without knowing how it was reached.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from veriopt.agents.base import Candidate, Counters, Proposer, Task
from veriopt.agents.gates import Gate

DEFINITE = ("proved", "bounded", "refuted", "unsupported", "invalid")   # cacheable outcomes
BOUNDED_POLICIES = ("drop", "label")
DROPPED_BOUNDED = "dropped: bounded only"
SKIPPED = "skipped"            # a record's status: not cheaper than the best known, never checked
NOT_CHEAPER = "skipped: not cheaper than the best known"
VERIOPT, ALIVE_TV = "veriopt", "alive-tv"


@dataclass
class Options:
    """How a run treats results that are not plain proofs, and who checks
    accepted results again.

    `bounded`: "drop" (a bounded-only candidate is never accepted) or
    "label" (accepted if cheaper, labelled with its bound, never counted as
    proved). `alive_tv`: the alive-tv executable for the independent
    re-check of IR rewrites, or None (re-checked by veriopt only).
    `artifacts`: where modules alive-tv disagreed on are saved (default:
    a fresh temporary directory)."""

    bounded: str = "drop"
    alive_tv: str | None = None
    artifacts: str | None = None

    def __post_init__(self) -> None:
        if self.bounded not in BOUNDED_POLICIES:
            raise ValueError(f"bounded policy must be one of {BOUNDED_POLICIES}, "
                             f"not {self.bounded!r}")

    def admits(self, status: str) -> bool:
        """Whether a check with this outcome may be accepted under the policy."""
        return status == "proved" or (status == "bounded" and self.bounded == "label")


@dataclass
class Budget:
    """What a run may spend. `tokens` bounds LLM usage across all agents;
    `patience`: calls without a new candidate before an agent is dropped."""

    seconds: float = 120.0
    tokens: int = 200_000
    repair_rounds: int = 2
    max_candidates: int = 200
    patience: int = 2


@dataclass
class Job:
    """One level of one task, with the gate that judges it and the cost to beat."""

    task: Task
    gate: Gate
    baseline_code: str            # what "baseline" means at this level (for timing)
    baseline_cost: dict[str, Any] = field(default_factory=dict)


@dataclass
class Record:
    """One candidate's history in this run. `status`: pending, skipped, or
    the gate's outcome (proved|bounded|refuted|unknown|unsupported|invalid)."""

    candidate: Candidate
    round: int
    status: str = "pending"
    label: str | None = None
    verdict: dict[str, Any] | None = None
    cost: dict[str, Any] | None = None
    accepted: bool = False
    note: str | None = None
    cached: bool = False
    resumed: bool = False
    timing: dict[str, Any] | None = None
    checked_by: list[str] = field(default_factory=lambda: [VERIOPT])
    alive_tv: dict[str, Any] | None = None    # alive-tv's re-check: status, error, module

    @property
    def key(self) -> str:
        return self.candidate.key


class AgentStats(Counters):
    """How one agent fared at one level: what the spending rule reads."""

    COUNTS = ("calls", "proposals", "accepted", "refuted", "repairs", "errors",
              "empty_in_a_row")

    def __init__(self) -> None:
        super().__init__()
        self.exhausted = False

    def score(self) -> float:
        """Accepted per proposal, with a Laplace prior (one unlucky proposal
        does not starve an agent)."""
        return (self.accepted + 1) / (self.proposals + 2)


@dataclass
class RunResult:
    run_id: str
    jobs: list[Job]
    records: list[Record]
    agent_stats: dict[str, dict[str, Any]]
    rechecks: dict[str, int]
    resumed: bool
    elapsed: float
    verifications: int
    cache_hits: int
    options: Options = field(default_factory=Options)
    alive_tv: dict[str, Any] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> list[Record]:
        return [r for r in self.records if r.accepted]

    @property
    def dropped_bounded(self) -> list[Record]:
        return [r for r in self.records if r.note == DROPPED_BOUNDED]

    @property
    def skipped_not_cheaper(self) -> int:
        """Candidates never verified: not cheaper than the best known when they came."""
        return sum(r.status == SKIPPED for r in self.records)

    def best(self, level: str | None = None) -> Record | None:
        return best_of(self.records, level)


def best_of(records: list[Record], level: str | None = None) -> Record | None:
    """The cheapest accepted record (of one level, or of all); a proved one
    before any that is only bounded, however cheap."""
    pool = [r for r in records if r.accepted and (level is None or r.candidate.level == level)]
    if not pool:
        return None
    return min(pool, key=lambda r: (r.status != "proved", r.cost["weighted"],
                                    r.cost["instructions"]))


def bar_to_beat(records: list[Record], job: Job) -> dict[str, Any]:
    """The cost a new candidate of the job's level must beat to be worth a
    proof: the cheapest accepted *proved* record, else the baseline (a
    bounded result does not raise the bar: a proof as cheap still wins)."""
    proved = [r for r in records if r.accepted and r.status == "proved"
              and r.candidate.level == job.task.level]
    best = best_of(proved)
    return job.baseline_cost if best is None else best.cost


def clearly_slower(timing: dict[str, Any] | None) -> bool:
    """median candidate/baseline time ratio above 1 by more than its spread."""
    if not timing or "median_ratio" not in timing:
        return False
    return timing["median_ratio"] > 1.0 + float(timing.get("spread") or 0.0)


def task_levels(agent: Proposer) -> tuple[str, ...]:
    """The task levels an agent works at (see base.Proposer): IR unless it says."""
    return tuple(getattr(agent, "task_levels", ("ir",)))
