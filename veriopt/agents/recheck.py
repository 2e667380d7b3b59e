"""The last look before a run reports: every accepted candidate proved once
more by veriopt, without the verdict cache, and every accepted IR rewrite
once more by alive-tv when the run's options name it.

alive-tv is an independent checker: when it refutes a rewrite veriopt
accepted, the rewrite is dropped, the module alive-tv was given is saved
for a bug report, and the disagreement is reported (loudly, by the
command). When alive-tv cannot decide, veriopt's result stands, checked
by veriopt only.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Callable

from veriopt.agents.base import Candidate
from veriopt.agents.gates import Check
from veriopt.agents.jobs import ALIVE_TV, VERIOPT, Job, Options, Record
from veriopt.agents.store import Store
from veriopt.limits import Limits

log = logging.getLogger("veriopt.orchestrator")

GateCheck = Callable[[Job, Candidate, float], Check]
Emit = Callable[..., None]


class Rechecker:
    """Re-checks a run's accepted records. `check` is the run's gate call
    (a crash there is an `unknown`; Ctrl-C surfaces as KeyboardInterrupt);
    `interrupted` says whether the user pressed Ctrl-C."""

    def __init__(self, store: Store, rid: str, options: Options, limits: Limits,
                 check: GateCheck, emit: Emit, interrupted: Callable[[], bool]):
        self.store, self.rid, self.options, self.limits = store, rid, options, limits
        self.check, self.emit, self.interrupted = check, emit, interrupted
        self.disagreements: list[dict[str, Any]] = []
        self.alive_stats = {"checked": 0, "correct": 0, "incorrect": 0, "undecided": 0}
        self.verifications = 0

    def recheck(self, records: list[Record], job_of: Callable[[str], Job]) -> dict[str, int]:
        """Every accepted record proved once more (with the longer recheck
        time), then every accepted IR rewrite by alive-tv."""
        checked = failed = 0
        for rec in records:
            if not rec.accepted:
                continue
            job = job_of(rec.candidate.level)
            checked += 1
            check = self.check(job, rec.candidate, self.limits.recheck_seconds)
            self.verifications += 1
            if not (check.holds and self.options.admits(check.status)):
                failed += 1
                rec.accepted = False
                rec.note = f"re-check failed: {check.status}"
                self.store.save_outcome(self.rid, rec)
            elif check.status != rec.status:      # e.g. a cached "proved" that is only bounded
                rec.status, rec.label, rec.verdict = (check.status, check.label,
                                                      check.verdict.to_json())
                self.store.save_outcome(self.rid, rec)
            self.emit("recheck", key=rec.key, status=check.status)
            if rec.accepted:
                self.alive(job, rec)
        return {"checked": checked, "failed": failed}

    def alive(self, job: Job, rec: Record) -> None:
        """alive-tv's independent verdict on an accepted IR rewrite: correct →
        checked by both; incorrect → dropped and reported as a disagreement;
        anything else → veriopt's result stands, with a note."""
        exe = self.options.alive_tv
        recheck = getattr(job.gate, "alive_recheck", None)
        if exe is None or recheck is None or rec.candidate.level != "ir":
            return
        if self.interrupted():
            raise KeyboardInterrupt
        bound = (rec.verdict or {}).get("bound") if rec.status == "bounded" else None
        try:
            result, module = recheck(job.task, rec.candidate, exe, self.limits.recheck_seconds,
                                     bound)
        except Exception as exc:  # alive-tv's failure is not a verdict
            from veriopt.verify.alive_tv import CRASHED, AliveResult
            result, module = AliveResult(CRASHED, f"{type(exc).__name__}: {exc}"[:300]), None
        if self.interrupted():
            raise KeyboardInterrupt
        self.alive_stats["checked"] += 1
        rec.alive_tv = {"status": result.status, "error": result.error, "module": None}
        if result.status != "incorrect":
            if result.status == "correct":
                self.alive_stats["correct"] += 1
                rec.checked_by = [VERIOPT, ALIVE_TV]
            else:
                self.alive_stats["undecided"] += 1
            self.emit("alive-tv", key=rec.key, status=result.status, error=result.error)
            return
        self.alive_stats["incorrect"] += 1
        saved = self.save_disagreement(rec, module, result.output)
        rec.alive_tv["module"] = saved
        rec.accepted = False
        rec.note = f"dropped: alive-tv disagrees ({result.error})"
        self.store.save_outcome(self.rid, rec)
        disagreement = {"key": rec.key, "origin": rec.candidate.origin,
                        "level": rec.candidate.level, "veriopt": rec.status,
                        "veriopt_label": rec.label, "alive_tv": result.status,
                        "alive_tv_error": result.error, "module": saved}
        self.disagreements.append(disagreement)
        self.emit("disagreement", **disagreement)

    def save_disagreement(self, rec: Record, module: str | None, output: str) -> str | None:
        """The module alive-tv refuted (and its output), kept for a bug report."""
        if module is None:
            return None
        try:
            if self.options.artifacts is None:
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
