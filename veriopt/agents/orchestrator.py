"""The orchestrator: spends a budget across levels and agents, and accepts
nothing that is not proved and cheaper.

How it spends: every (agent, level) pair is tried once, then the pair with
the best observed yield — accepted candidates per proposal, with a Laplace
prior so one unlucky proposal does not starve an agent — is asked again,
until the wall-time budget is spent, the LLM token budget is spent, or
every pair has stopped producing new candidates.

Each candidate goes: dedup (Candidate.key) → verdict (cache by content
hash, else the level's gate) → on refutation, back to the agent that
proposed it with the verdict (bounded repair rounds) → on proof, static
cost against the baseline. Every step is written to the store as it
happens, so Ctrl-C loses nothing verified and a rerun resumes. Before the
result is reported every accepted candidate is checked again, without the
cache.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from veriopt.agents.base import Candidate, Proposer, Task
from veriopt.agents.gates import Check, Gate, cheaper, invalid
from veriopt.agents.store import Store, run_id
from veriopt.verify.verdict import Verdict

log = logging.getLogger("veriopt.orchestrator")

DEFINITE = ("proved", "bounded", "refuted", "unsupported", "invalid")   # cacheable outcomes


@dataclass
class Budget:
    """What a run may spend. `tokens` bounds LLM usage across all agents."""

    seconds: float = 120.0
    tokens: int = 200_000
    repair_rounds: int = 2
    max_candidates: int = 200
    patience: int = 2          # calls without a new candidate before an agent is dropped


@dataclass
class Job:
    """One level of one task, with the gate that judges it and the cost to beat."""

    task: Task
    gate: Gate
    baseline_code: str            # what "baseline" means at this level (for timing)
    baseline_cost: dict[str, Any] = field(default_factory=dict)


@dataclass
class Record:
    """One candidate's history in this run."""

    candidate: Candidate
    round: int
    status: str = "pending"        # proved|bounded|refuted|unknown|unsupported|invalid|duplicate
    label: str | None = None
    verdict: dict[str, Any] | None = None
    cost: dict[str, Any] | None = None
    accepted: bool = False
    note: str | None = None
    cached: bool = False
    resumed: bool = False
    timing: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.candidate.key


@dataclass
class AgentStats:
    calls: int = 0
    proposals: int = 0
    accepted: int = 0
    refuted: int = 0
    repairs: int = 0
    errors: int = 0
    empty_in_a_row: int = 0
    exhausted: bool = False

    def score(self) -> float:
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

    @property
    def accepted(self) -> list[Record]:
        return [r for r in self.records if r.accepted]

    def best(self, level: str | None = None) -> Record | None:
        return best_of(self.records, level)


def best_of(records: list[Record], level: str | None = None) -> Record | None:
    """The cheapest accepted record (of one level, or of all)."""
    pool = [r for r in records if r.accepted and (level is None or r.candidate.level == level)]
    if not pool:
        return None
    return min(pool, key=lambda r: (r.cost["weighted"], r.cost["instructions"]))


Progress = Callable[[str, dict[str, Any]], None]


def clearly_slower(timing: dict[str, Any] | None) -> bool:
    """median candidate/baseline time ratio above 1 by more than its spread."""
    if not timing or "median_ratio" not in timing:
        return False
    return timing["median_ratio"] > 1.0 + float(timing.get("spread") or 0.0)


def task_levels(agent: Proposer) -> tuple[str, ...]:
    """The task levels an agent works at (see base.Proposer): IR unless it says."""
    return tuple(getattr(agent, "task_levels", ("ir",)))


class Orchestrator:
    def __init__(self, jobs: list[Job], agents: list[Proposer], store: Store,
                 budget: Budget | None = None, progress: Progress | None = None,
                 measure: Callable[[Job, Record], dict[str, Any] | None] | None = None):
        self.jobs = jobs
        self.agents = agents
        self.store = store
        self.budget = budget or Budget()
        self.progress = progress or (lambda kind, detail: None)
        self.measure = measure
        self.records: dict[str, Record] = {}
        self.stats: dict[tuple[str, str], AgentStats] = {}
        self.verifications = 0
        self.cache_hits = 0
        self.recheck_timeout = 30.0
        self.interrupted = False      # set by the command's SIGINT handler
        task = jobs[0].task
        self.rid = run_id(task.source, task.function, [j.task.level for j in jobs])

    # ------------------------------------------------------------ public
    def run(self) -> RunResult:
        start = time.monotonic()
        self.deadline = start + self.budget.seconds
        task = self.jobs[0].task
        resumed = self.store.open_run(self.rid, task.source_path or "<input>", task.function,
                                      [j.task.level for j in self.jobs])
        try:
            for job in self.jobs:
                if not job.baseline_cost:
                    job.baseline_cost = job.gate.cost(job.task, job.baseline_code)
            self._resume()
            self._collect_edge_inputs()
            self._spend()
            rechecks = self._recheck()
            self._measure_best()
        except KeyboardInterrupt:
            self.store.finish_run(self.rid, "interrupted")
            raise
        self.store.finish_run(self.rid, "finished")
        return RunResult(self.rid, self.jobs, list(self.records.values()),
                         {f"{a}/{lvl}": vars(s) for (a, lvl), s in self.stats.items()},
                         rechecks, resumed, time.monotonic() - start,
                         self.verifications, self.cache_hits)

    # ------------------------------------------------------------ helpers
    def _time_left(self) -> float:
        return self.deadline - time.monotonic()

    def _tokens_used(self) -> int:
        return sum(int(getattr(a, "tokens_used", 0)) for a in self.agents)

    def _job(self, level: str) -> Job | None:
        return next((j for j in self.jobs if j.task.level == level), None)

    def _stat(self, agent: str, level: str) -> AgentStats:
        return self.stats.setdefault((agent, level), AgentStats())

    def _emit(self, kind: str, **detail: Any) -> None:
        self.store.event(self.rid, kind, detail)
        self.progress(kind, detail)

    def _resume(self) -> None:
        """Reload what an earlier (perhaps interrupted) run already decided."""
        for stored in self.store.candidates(self.rid):
            rec = Record(stored.candidate, stored.round, resumed=True)
            self.records[rec.key] = rec
            st = self._stat(stored.candidate.origin, stored.candidate.level)
            st.proposals += 1
            job = self._job(stored.candidate.level)
            if stored.status is None or job is None:
                rec.status = "pending"
                if job is not None:
                    self._judge(job, rec)       # interrupted mid-check: do it now
                continue
            rec.status, rec.label, rec.cost = stored.status, stored.label, stored.cost
            rec.accepted, rec.note = stored.accepted, stored.note
            rec.verdict = stored.verdict
            rec.timing = self.store.timing(self.rid, rec.key)
            st.accepted += int(rec.accepted)
            st.refuted += int(rec.status == "refuted")
        if self.records:
            self._emit("resume", candidates=len(self.records),
                       accepted=sum(r.accepted for r in self.records.values()))

    def _collect_edge_inputs(self) -> None:
        """The test-generation role: agents that can suggest edge inputs feed
        the gate's concrete pre-check (IR) before any proof is attempted."""
        for job in self.jobs:
            for agent in self.agents:
                suggest = getattr(agent, "suggest_inputs", None)
                if suggest is None or self._time_left() <= 0:
                    continue
                try:
                    inputs = suggest(job.task)
                except Exception as exc:  # an agent's failure never ends the run
                    log.warning("%s: suggest_inputs failed: %s", agent.name, exc)
                    continue
                if hasattr(job.gate, "edge_inputs"):
                    job.gate.edge_inputs.extend(inputs)
                for other in self.agents:      # superopt's CEGIS examples name IR params
                    examples = getattr(other, "extra_examples", None)
                    if job.task.level == "ir" and isinstance(examples, list):
                        examples.extend(inputs)
                if inputs:
                    self._emit("edge-inputs", agent=agent.name, level=job.task.level,
                               count=len(inputs))

    def _spend(self) -> None:
        while self._time_left() > 0 and len(self.records) < self.budget.max_candidates:
            choice = self._pick()
            if choice is None:
                return
            agent, job = choice
            st = self._stat(agent.name, job.task.level)
            st.calls += 1
            self._emit("propose", agent=agent.name, level=job.task.level)
            fresh = self._call(agent, st, lambda: agent.propose(job.task))
            new = self._admit(fresh, job, agent, round_=0)
            st.empty_in_a_row = 0 if new else st.empty_in_a_row + 1
            if st.empty_in_a_row >= self.budget.patience:
                st.exhausted = True
            for rec in new:
                self._evaluate(job, agent, rec)

    def _pick(self) -> tuple[Proposer, Job] | None:
        """The (agent, level) with the best observed yield; untried first."""
        llm_spent = self._tokens_used() >= self.budget.tokens
        best = None
        for job in self.jobs:
            for order, agent in enumerate(self.agents):
                st = self._stat(agent.name, job.task.level)
                if st.exhausted or (llm_spent and hasattr(agent, "tokens_used")):
                    continue
                if job.task.level not in task_levels(agent):
                    continue
                rank = (st.calls == 0, st.score(), -st.calls, -order)
                if best is None or rank > best[0]:
                    best = (rank, agent, job)
        return None if best is None else (best[1], best[2])

    def _call(self, agent: Proposer, st: AgentStats, fn: Callable[[], list[Candidate]]
              ) -> list[Candidate]:
        try:
            return list(fn() or [])
        except Exception as exc:  # an agent's failure never ends the run
            st.errors += 1
            log.warning("agent %s failed: %s: %s", agent.name, type(exc).__name__, exc)
            self._emit("agent-error", agent=agent.name, error=type(exc).__name__)
            return []

    def _admit(self, cands: list[Candidate], job: Job, agent: Proposer, round_: int
               ) -> list[Record]:
        """Drop duplicates, record the rest at once (before any verdict)."""
        new = []
        for cand in cands:
            if not isinstance(cand, Candidate) or cand.key in self.records:
                continue
            if len(self.records) >= self.budget.max_candidates:
                break
            cand.origin = cand.origin or agent.name
            rec = Record(cand, round_)
            self.records[rec.key] = rec
            self.store.add_candidate(self.rid, cand, round_)
            self._stat(agent.name, job.task.level).proposals += 1
            new.append(rec)
        return new

    def _evaluate(self, job: Job, agent: Proposer, rec: Record) -> None:
        """Judge one candidate; route a refutation back for repair."""
        if self._time_left() <= 0:
            return
        check = self._judge(job, rec)
        st = self._stat(agent.name, job.task.level)
        st.accepted += int(rec.accepted)
        if check is None or check.holds or check.status not in ("refuted", "invalid"):
            return
        st.refuted += 1
        if rec.round >= self.budget.repair_rounds or self._time_left() <= 0:
            return
        if hasattr(agent, "tokens_used") and self._tokens_used() >= self.budget.tokens:
            return
        st.repairs += 1
        self._emit("repair", agent=agent.name, key=rec.key, round=rec.round + 1)
        fixes = self._call(agent, st, lambda: agent.repair(job.task, rec.candidate, check.verdict))
        for fix in fixes:
            fix.parent = fix.parent or rec.key
        for new in self._admit(fixes, job, agent, rec.round + 1):
            self._evaluate(job, agent, new)

    def _judge(self, job: Job, rec: Record) -> Check | None:
        cand = rec.candidate
        if cand.level != job.task.level:
            check = invalid(f"level {cand.level!r} proposed for a {job.task.level!r} task")
        else:
            check = self._check(job, cand, use_cache=True)
            if check is None:
                return None
        rec.status, rec.label, rec.cached = check.status, check.label, check.cached
        rec.verdict = check.verdict.to_json()
        if check.holds:
            try:
                rec.cost = job.gate.cost(job.task, cand.code)
            except Exception as exc:  # a proved candidate we cannot cost is not accepted
                rec.note = f"could not cost it: {exc}"
            if rec.cost is not None:
                rec.accepted = cheaper(rec.cost, job.baseline_cost)
                if not rec.accepted:
                    rec.note = "proved but not cheaper than the baseline"
        self.store.set_outcome(self.rid, rec.key, rec.status, rec.label, rec.cost,
                               rec.accepted, rec.note, rec.verdict)
        self._emit("verdict", agent=cand.origin, level=cand.level, key=rec.key,
                   status=rec.status, label=rec.label, cached=rec.cached,
                   error=check.verdict.error, accepted=rec.accepted,
                   cost=(rec.cost or {}).get("weighted"),
                   baseline=job.baseline_cost.get("weighted"))
        return check

    def _check(self, job: Job, cand: Candidate, use_cache: bool) -> Check | None:
        key = job.gate.cache_key(job.task, cand)
        if use_cache:
            cached = self.store.cached_check(key)
            if cached is not None:
                self.cache_hits += 1
                verdict, status, label = cached
                return Check(verdict, status, label, cached=True)
        left = self._time_left()
        if left <= 0 and use_cache:
            return None
        self.verifications += 1
        check = self._gate_check(job, cand, max(left, 5.0))
        if check.status in DEFINITE:            # a timeout or a crash is not a fact
            self.store.cache_check(key, check.verdict, check.status, check.label)
        return check

    def _gate_check(self, job: Job, cand: Candidate, timeout: float) -> Check:
        """The gate's check; a verifier crash is an `unknown` (never accepted),
        unless it was Ctrl-C surfacing through a library as another error."""
        try:
            check = job.gate.check(job.task, cand, timeout)
        except Exception as exc:
            if self.interrupted:
                raise KeyboardInterrupt from exc
            log.warning("verifier failed on %s: %s: %s", cand.key, type(exc).__name__, exc)
            return Check(Verdict.unknown(f"verifier error: {type(exc).__name__}: {exc}"[:300]),
                         "unknown", None)
        if self.interrupted:
            raise KeyboardInterrupt
        return check

    def _recheck(self) -> dict[str, int]:
        """Every accepted candidate proved once more, without the cache."""
        checked = failed = 0
        for rec in self.records.values():
            if not rec.accepted:
                continue
            job = self._job(rec.candidate.level)
            checked += 1
            check = self._gate_check(job, rec.candidate, self.recheck_timeout)
            self.verifications += 1
            if not check.holds:
                failed += 1
                rec.accepted = False
                rec.note = f"re-check failed: {check.status}"
                self.store.set_outcome(self.rid, rec.key, rec.status, rec.label, rec.cost,
                                       False, rec.note, rec.verdict)
            self._emit("recheck", key=rec.key, status=check.status)
        return {"checked": checked, "failed": failed}

    def _measure_best(self, tries: int = 3) -> None:
        """Measure the best candidate of each level; one that is clearly
        slower when run (ratio above 1 by more than its spread) loses its
        acceptance, and the next best is measured instead."""
        if self.measure is None:
            return
        for job in self.jobs:
            for _ in range(tries):
                best = best_of(list(self.records.values()), job.task.level)
                if best is None:
                    break
                if best.timing is None:
                    best.timing = self._time(job, best)
                if not clearly_slower(best.timing):
                    break
                best.accepted = False
                best.note = "proved and statically cheaper, but measured slower"
                self.store.set_outcome(self.rid, best.key, best.status, best.label, best.cost,
                                       False, best.note, best.verdict)

    def _time(self, job: Job, rec: Record) -> dict[str, Any]:
        try:
            timing = self.measure(job, rec) or {}
        except Exception as exc:  # timing is evidence, not a gate of correctness
            log.warning("timing failed: %s", exc)
            timing = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        self.store.set_timing(self.rid, rec.key, timing)
        self._emit("timing", key=rec.key, **{k: v for k, v in timing.items()
                                             if isinstance(v, (int, float, str))})
        return timing

    @property
    def accepted(self) -> list[Record]:
        return [r for r in self.records.values() if r.accepted]

