"""The orchestrator: spends a budget across levels and agents, and accepts
nothing that is not proved and cheaper.

A check that reached only a loop bound (`bounded`) is never a proof: by the
run's policy (`Options.bounded`) it is dropped (the default; recorded with
the note `dropped: bounded only`) or accepted and labelled with its bound.

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
cache, and every accepted IR rewrite once more by alive-tv when the run's
options name it (an independent checker: a disagreement drops the rewrite
and is reported; an alive-tv that cannot decide leaves veriopt's result,
checked by veriopt only).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from veriopt.agents.base import Candidate, Proposer, Task
from veriopt.agents.gates import Check, Gate, cheaper, invalid
from veriopt.agents.store import Store, run_id
from veriopt.verify.verdict import Verdict

log = logging.getLogger("veriopt.orchestrator")

DEFINITE = ("proved", "bounded", "refuted", "unsupported", "invalid")   # cacheable outcomes
BOUNDED_POLICIES = ("drop", "label")
DROPPED_BOUNDED = "dropped: bounded only"
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
    alive_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.bounded not in BOUNDED_POLICIES:
            raise ValueError(f"bounded policy must be one of {BOUNDED_POLICIES}, "
                             f"not {self.bounded!r}")


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
    checked_by: list[str] = field(default_factory=lambda: [VERIOPT])
    alive_tv: dict[str, Any] | None = None    # alive-tv's re-check: status, error, module

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
    options: Options = field(default_factory=Options)
    alive_tv: dict[str, Any] = field(default_factory=dict)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> list[Record]:
        return [r for r in self.records if r.accepted]

    @property
    def dropped_bounded(self) -> list[Record]:
        return [r for r in self.records if r.note == DROPPED_BOUNDED]

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
                 measure: Callable[[Job, Record], dict[str, Any] | None] | None = None,
                 options: Options | None = None):
        self.jobs = jobs
        self.agents = agents
        self.store = store
        self.budget = budget or Budget()
        self.options = options or Options()
        self.disagreements: list[dict[str, Any]] = []
        self.alive_stats = {"checked": 0, "correct": 0, "incorrect": 0, "undecided": 0}
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
                         self.verifications, self.cache_hits, self.options,
                         {"available": self.options.alive_tv is not None, **self.alive_stats},
                         list(self.disagreements))

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
        """Reload what an earlier (perhaps interrupted) run already decided.
        A bounded outcome is decided again under this run's policy (the
        verdict comes from the cache)."""
        disagreed = {d["key"]: d for kind, d in self.store.events(self.rid)
                     if kind == "disagreement"}
        self.disagreements = [{**d, "resumed": True} for d in disagreed.values()]
        for stored in self.store.candidates(self.rid):
            rec = Record(stored.candidate, stored.round, resumed=True)
            self.records[rec.key] = rec
            st = self._stat(stored.candidate.origin, stored.candidate.level)
            st.proposals += 1
            job = self._job(stored.candidate.level)
            if job is not None and stored.status == "bounded" and rec.key not in disagreed:
                stored.status = None
            if stored.status is None or job is None:
                rec.status = "pending"
                if job is not None:
                    self._judge(job, rec)       # interrupted mid-check: do it now
                    st.accepted += int(rec.accepted)
                continue
            rec.status, rec.label, rec.cost = stored.status, stored.label, stored.cost
            rec.accepted, rec.note = stored.accepted, stored.note
            rec.verdict = stored.verdict
            rec.timing = self.store.timing(self.rid, rec.key)
            if rec.key in disagreed:
                d = disagreed[rec.key]
                rec.alive_tv = {"status": "incorrect", "error": d.get("alive_tv_error"),
                                "module": d.get("module")}
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
        rec.accepted, rec.note, rec.cost = False, None, None
        if check.holds and not self._admissible(check.status):
            rec.note = DROPPED_BOUNDED
        elif check.holds:
            try:
                rec.cost = job.gate.cost(job.task, cand.code)
            except Exception as exc:  # a proved candidate we cannot cost is not accepted
                rec.note = f"could not cost it: {exc}"
            if rec.cost is not None:
                rec.accepted = cheaper(rec.cost, job.baseline_cost)
                if not rec.accepted:
                    rec.note = f"{rec.status} but not cheaper than the baseline"
        self.store.set_outcome(self.rid, rec.key, rec.status, rec.label, rec.cost,
                               rec.accepted, rec.note, rec.verdict)
        self._emit("verdict", agent=cand.origin, level=cand.level, key=rec.key,
                   status=rec.status, label=rec.label, cached=rec.cached,
                   error=check.verdict.error, accepted=rec.accepted, note=rec.note,
                   cost=(rec.cost or {}).get("weighted"),
                   baseline=job.baseline_cost.get("weighted"))
        return check

    def _admissible(self, status: str) -> bool:
        """Whether a check with this outcome may be accepted under the policy."""
        return status == "proved" or (status == "bounded" and self.options.bounded == "label")

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
        """Every accepted candidate proved once more, without the cache; then
        every accepted IR rewrite by alive-tv (when the options name it)."""
        checked = failed = 0
        for rec in self.records.values():
            if not rec.accepted:
                continue
            job = self._job(rec.candidate.level)
            checked += 1
            check = self._gate_check(job, rec.candidate, self.recheck_timeout)
            self.verifications += 1
            if not (check.holds and self._admissible(check.status)):
                failed += 1
                rec.accepted = False
                rec.note = f"re-check failed: {check.status}"
                self.store.set_outcome(self.rid, rec.key, rec.status, rec.label, rec.cost,
                                       False, rec.note, rec.verdict)
            elif check.status != rec.status:      # e.g. a cached "proved" that is only bounded
                rec.status, rec.label, rec.verdict = (check.status, check.label,
                                                      check.verdict.to_json())
                self.store.set_outcome(self.rid, rec.key, rec.status, rec.label, rec.cost,
                                       True, rec.note, rec.verdict)
            self._emit("recheck", key=rec.key, status=check.status)
            if rec.accepted:
                self._alive_recheck(job, rec)
        return {"checked": checked, "failed": failed}

    def _alive_recheck(self, job: Job, rec: Record) -> None:
        """alive-tv's independent verdict on an accepted IR rewrite: correct →
        checked by both; incorrect → dropped and reported as a disagreement;
        anything else → veriopt's result stands, with a note."""
        exe = self.options.alive_tv
        recheck = getattr(job.gate, "alive_recheck", None)
        if exe is None or recheck is None or rec.candidate.level != "ir":
            return
        if self.interrupted:
            raise KeyboardInterrupt
        bound = (rec.verdict or {}).get("bound") if rec.status == "bounded" else None
        try:
            result, module = recheck(job.task, rec.candidate, exe, self.options.alive_seconds,
                                     bound)
        except Exception as exc:  # alive-tv's failure is not a verdict
            from veriopt.verify.alive_tv import CRASHED, AliveResult
            result, module = AliveResult(CRASHED, f"{type(exc).__name__}: {exc}"[:300]), None
        if self.interrupted:
            raise KeyboardInterrupt
        self.alive_stats["checked"] += 1
        rec.alive_tv = {"status": result.status, "error": result.error, "module": None}
        if result.status != "incorrect":
            if result.status == "correct":
                self.alive_stats["correct"] += 1
                rec.checked_by = [VERIOPT, ALIVE_TV]
            else:
                self.alive_stats["undecided"] += 1
            self._emit("alive-tv", key=rec.key, status=result.status, error=result.error)
            return
        self.alive_stats["incorrect"] += 1
        saved = self._save_disagreement(rec, module, result.output)
        rec.alive_tv["module"] = saved
        rec.accepted = False
        rec.note = f"dropped: alive-tv disagrees ({result.error})"
        self.store.set_outcome(self.rid, rec.key, rec.status, rec.label, rec.cost, False,
                               rec.note, rec.verdict)
        disagreement = {"key": rec.key, "origin": rec.candidate.origin,
                        "level": rec.candidate.level, "veriopt": rec.status,
                        "veriopt_label": rec.label, "alive_tv": result.status,
                        "alive_tv_error": result.error, "module": saved}
        self.disagreements.append(disagreement)
        self._emit("disagreement", **disagreement)

    def _save_disagreement(self, rec: Record, module: str | None, output: str) -> str | None:
        """The module alive-tv refuted (and its output), kept for a bug report."""
        if module is None:
            return None
        try:
            if self.options.artifacts is None:
                import tempfile
                self.options.artifacts = tempfile.mkdtemp(prefix="veriopt-")
            where = Path(self.options.artifacts) / "disagreements"
            where.mkdir(parents=True, exist_ok=True)
            path = where / f"{rec.key}.ll"
            path.write_text(module)
            (where / f"{rec.key}.alive-tv.txt").write_text(output)
        except OSError as exc:
            log.warning("could not save the module alive-tv refuted: %s", exc)
            return None
        return str(path)

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
                best.note = f"{best.status} and statically cheaper, but measured slower"
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

