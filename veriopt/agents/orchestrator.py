"""The orchestrator's run loop: spends a budget across levels and agents,
and accepts nothing that is not proved and cheaper.

A check that reached only a loop bound (`bounded`) is never a proof: by the
run's policy (`Options.bounded`) it is dropped (the default; recorded with
the note `dropped: bounded only`) or accepted and labelled with its bound.

How it spends: every (agent, level) pair is tried once, then the pair with
the best observed yield — accepted candidates per proposal, with a Laplace
prior so one unlucky proposal does not starve an agent — is asked again,
until the wall-time budget is spent, the LLM token budget is spent, or
every pair has stopped producing new candidates.

Each candidate goes: dedup (Candidate.key) → static cost: one that is not
cheaper than the best known (the baseline, or the cheapest proved result
so far) is skipped and counted, never verified → verdict (cache by content
hash, else the level's gate) → on refutation, back to the agent that
proposed it with the verdict (bounded repair rounds) → on proof, accepted.
Every step is written to the store as it happens, so Ctrl-C loses nothing
verified and a rerun resumes. Before the result is reported every accepted
candidate is checked again (recheck.py), and the best of each level is
timed when the command supplies a measure.

The data it works on and returns is in jobs.py; the names are re-exported
here for callers that build a run.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from veriopt.agents.base import Candidate, Proposer
from veriopt.agents.gates import Check, invalid
from veriopt.agents.jobs import (DEFINITE, DROPPED_BOUNDED, NOT_CHEAPER, SKIPPED, AgentStats,
                                 Budget, Job, Options, Record, RunResult, bar_to_beat,
                                 best_of, clearly_slower, task_levels)
from veriopt.agents.recheck import Rechecker
from veriopt.agents.store import Store, run_id
from veriopt.bench.cost import cheaper
from veriopt.limits import Limits
from veriopt.verify.verdict import Verdict

log = logging.getLogger("veriopt.orchestrator")

__all__ = ["DROPPED_BOUNDED", "Budget", "Job", "Options", "Orchestrator", "Record",
           "RunResult", "best_of", "clearly_slower"]

Progress = Callable[[str, dict[str, Any]], None]
Measure = Callable[[Job, Record], "dict[str, Any] | None"]
MIN_CHECK_SECONDS = 5.0     # a check started at the deadline still gets this long
EDGE_INPUT_SHARE = 0.25     # of the time left, at most, for asking an agent for edge inputs


class Orchestrator:
    """One run: `run()` spends the budget and returns the RunResult. `limits`
    are the user's (solver and re-check seconds); the gates carry their own
    copy for their checks."""

    def __init__(self, jobs: list[Job], agents: list[Proposer], store: Store,
                 budget: Budget | None = None, progress: Progress | None = None,
                 measure: Measure | None = None, options: Options | None = None,
                 limits: Limits | None = None):
        self.jobs = jobs
        self.agents = agents
        self.store = store
        self.budget = budget or Budget()
        self.options = options or Options()
        self.limits = limits or Limits()
        self.progress = progress or (lambda kind, detail: None)
        self.measure = measure
        self.records: dict[str, Record] = {}
        self.stats: dict[tuple[str, str], AgentStats] = {}
        self.verifications = 0
        self.cache_hits = 0
        self.interrupted = False      # set by the command's SIGINT handler
        task = jobs[0].task
        self.rid = run_id(task.source, task.function, [j.task.level for j in jobs])
        self.rechecker = Rechecker(store, self.rid, self.options, self.limits, self._gate_check,
                                   self._emit, lambda: self.interrupted)

    # ------------------------------------------------------------ public
    def run(self) -> RunResult:
        start = time.monotonic()
        self.deadline = start + self.budget.seconds
        for agent in self.agents:   # an LLM request may not outlive the budget
            if hasattr(agent, "set_deadline"):
                agent.set_deadline(self.deadline)
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
            rechecks = self.rechecker.recheck(list(self.records.values()), self._job)
            self.verifications += self.rechecker.verifications
            self._measure_best()
        except KeyboardInterrupt:
            self.store.finish_run(self.rid, "interrupted")
            raise
        self.store.finish_run(self.rid, "finished")
        alive = {"available": self.options.alive_tv is not None, **self.rechecker.alive_stats}
        return RunResult(self.rid, self.jobs, list(self.records.values()),
                         {f"{a}/{lvl}": s.as_dict() for (a, lvl), s in self.stats.items()},
                         rechecks, resumed, time.monotonic() - start,
                         self.verifications, self.cache_hits, self.options, alive,
                         list(self.rechecker.disagreements))

    @property
    def accepted(self) -> list[Record]:
        return [r for r in self.records.values() if r.accepted]

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
        verdict comes from the cache), a skipped one against this run's
        best known cost."""
        disagreed = {d["key"]: d for kind, d in self.store.events(self.rid)
                     if kind == "disagreement"}
        self.rechecker.disagreements = [{**d, "resumed": True} for d in disagreed.values()]
        for stored in self.store.candidates(self.rid):
            rec = Record(stored.candidate, stored.round, resumed=True)
            self.records[rec.key] = rec
            st = self._stat(stored.candidate.origin, stored.candidate.level)
            st.proposals += 1
            job = self._job(stored.candidate.level)
            if job is not None and stored.status in ("bounded", SKIPPED) \
                    and rec.key not in disagreed:
                stored.status = None       # the policy and the best known may differ now
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
                if hasattr(agent, "set_deadline"):   # a share, so proposing has time left
                    agent.set_deadline(time.monotonic() + self._time_left() * EDGE_INPUT_SHARE)
                try:
                    inputs = suggest(job.task)
                except Exception as exc:  # an agent's failure never ends the run
                    log.warning("%s: suggest_inputs failed: %s", agent.name, exc)
                    continue
                finally:
                    if hasattr(agent, "set_deadline"):
                        agent.set_deadline(self.deadline)
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
                # untried first, and of those the offline ones: a hung
                # endpoint must not keep them from running at all
                fresh = st.calls == 0
                rank = (fresh, fresh and not hasattr(agent, "tokens_used"), st.score(),
                        -st.calls, -order)
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
        """Cost first, then (only for a candidate cheaper than the best
        known) the verdict; None when the time ran out before the check."""
        cand = rec.candidate
        rec.accepted, rec.note, rec.cost, rec.cached = False, None, None, False
        why_no_cost = None
        if cand.level != job.task.level:
            check = invalid(f"level {cand.level!r} proposed for a {job.task.level!r} task")
        else:
            rec.cost, why_no_cost = self._cost(job, cand)
            if rec.cost is not None and not cheaper(rec.cost,
                                                    bar_to_beat(list(self.records.values()), job)):
                return self._skip(job, rec)
            check = self._check(job, cand, use_cache=True)
            if check is None:
                return None
        rec.status, rec.label, rec.cached = check.status, check.label, check.cached
        rec.verdict = check.verdict.to_json()
        if check.holds and not self.options.admits(check.status):
            rec.note = DROPPED_BOUNDED
        elif check.holds and rec.cost is None:
            rec.note = why_no_cost
        elif check.holds:
            rec.accepted = cheaper(rec.cost, job.baseline_cost)
            if not rec.accepted:
                rec.note = f"{rec.status} but not cheaper than the baseline"
        self.store.save_outcome(self.rid, rec)
        self._emit_verdict(job, rec, check.verdict.error)
        return check

    def _cost(self, job: Job, cand: Candidate) -> tuple[dict[str, Any] | None, str | None]:
        """(the candidate's static cost, None), or (None, why) when it cannot
        be computed: the check still runs, for the agent's sake (its
        verdict says what is wrong), but such a candidate is never accepted."""
        try:
            return job.gate.cost(job.task, cand.code), None
        except Exception as exc:  # e.g. code that does not parse: the gate will say so
            return None, f"could not cost it: {exc}"

    def _skip(self, job: Job, rec: Record) -> None:
        """A candidate not cheaper than the best known: no proof is spent on it."""
        rec.status, rec.label, rec.verdict, rec.note = SKIPPED, None, None, NOT_CHEAPER
        self.store.save_outcome(self.rid, rec)
        self._emit_verdict(job, rec, None)
        return None

    def _emit_verdict(self, job: Job, rec: Record, error: str | None) -> None:
        cand = rec.candidate
        self._emit("verdict", agent=cand.origin, level=cand.level, key=rec.key,
                   status=rec.status, label=rec.label, cached=rec.cached, error=error,
                   accepted=rec.accepted, note=rec.note,
                   cost=(rec.cost or {}).get("weighted"),
                   baseline=job.baseline_cost.get("weighted"))

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
        check = self._gate_check(job, cand, max(left, MIN_CHECK_SECONDS))
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
                self.store.save_outcome(self.rid, best)

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
