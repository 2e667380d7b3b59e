"""The optimizer's memory: every proposal, verdict, counterexample, cost and
timing of a run, in SQLite (stdlib).

Why a database and not a JSON dump: a run interrupted with Ctrl-C must lose
nothing it has already verified, so each fact is committed the moment it is
known; a rerun with the same store resumes the run (same input, function and
levels give the same run id) and reuses every cached verdict.

Verdicts are cached by content hash of (source, candidate, verifier
options): a verdict depends on nothing else, so a hit is as good as a proof
recomputed. Outcomes are kept as the gate reached them (`bounded` stays
`bounded`); whether a bounded one is accepted is the run's policy, applied
again on resume. Secrets never reach this file: nothing here receives agent
configuration, only candidates and verdicts.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veriopt.agents.base import Candidate
from veriopt.errors import BadInput
from veriopt.verify.verdict import Verdict, verdict_from_json

# 2: `bounded` is its own outcome (a version-1 store may hold bounded checks
# cached as `proved`), so a version-1 store is refused rather than trusted.
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, input TEXT, function TEXT, levels TEXT,
    created REAL, finished REAL, state TEXT);
CREATE TABLE IF NOT EXISTS candidates (
    run_id TEXT, key TEXT, seq INTEGER, level TEXT, origin TEXT, code TEXT,
    rationale TEXT, parent TEXT, round INTEGER, created REAL,
    PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS outcomes (
    run_id TEXT, key TEXT, status TEXT, label TEXT, cost TEXT, accepted INTEGER,
    note TEXT, verdict TEXT, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS verdicts (
    hash TEXT PRIMARY KEY, verdict TEXT, status TEXT, label TEXT, created REAL);
CREATE TABLE IF NOT EXISTS timings (
    run_id TEXT, key TEXT, timing TEXT, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT, t REAL, kind TEXT, detail TEXT);
"""


def content_hash(*parts: str) -> str:
    """One hash over several texts, unambiguous about where each ends."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def run_id(source: str, function: str, levels: list[str]) -> str:
    """Same input, function and levels → same run, so a rerun resumes it."""
    return content_hash(source, function, ",".join(sorted(levels)))[:16]


@dataclass
class StoredCandidate:
    """A candidate as recorded, with the outcome it reached (if any)."""

    candidate: Candidate
    round: int
    status: str | None
    label: str | None
    cost: dict[str, Any] | None
    accepted: bool
    note: str | None
    verdict: dict[str, Any] | None = None


class Store:
    """A thin layer over one SQLite file; every write commits at once."""

    def __init__(self, path: str | Path = ":memory:"):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        tables = self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        if tables and version != SCHEMA_VERSION:
            self.db.close()
            raise BadInput(f"store written by another veriopt version (schema {version}, "
                           f"expected {SCHEMA_VERSION}); give a new --store", self.path)
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ runs
    def open_run(self, rid: str, input_name: str, function: str, levels: list[str]) -> bool:
        """Start or resume run `rid`; True when it already existed."""
        row = self.db.execute("SELECT id FROM runs WHERE id = ?", (rid,)).fetchone()
        if row:
            self.db.execute("UPDATE runs SET state = 'running' WHERE id = ?", (rid,))
        else:
            self.db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, NULL, 'running')",
                            (rid, input_name, function, ",".join(levels), time.time()))
        self.db.commit()
        return row is not None

    def finish_run(self, rid: str, state: str) -> None:
        self.db.execute("UPDATE runs SET finished = ?, state = ? WHERE id = ?",
                        (time.time(), state, rid))
        self.db.commit()

    def run_state(self, rid: str) -> str | None:
        row = self.db.execute("SELECT state FROM runs WHERE id = ?", (rid,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ candidates
    def add_candidate(self, rid: str, cand: Candidate, round_: int) -> None:
        seq = self.db.execute("SELECT COUNT(*) FROM candidates WHERE run_id = ?",
                              (rid,)).fetchone()[0]
        self.db.execute(
            "INSERT OR IGNORE INTO candidates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rid, cand.key, seq, cand.level, cand.origin, cand.code, cand.rationale,
             cand.parent, round_, time.time()))
        self.db.commit()

    def set_outcome(self, rid: str, key: str, status: str, label: str | None,
                    cost: dict[str, Any] | None, accepted: bool, note: str | None = None,
                    verdict: dict[str, Any] | None = None) -> None:
        """The outcome of one candidate in one run, with its verdict (also
        the ones the cache does not keep, such as timeouts)."""
        self.db.execute("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (rid, key, status, label, json.dumps(cost) if cost else None,
                         int(accepted), note, json.dumps(verdict) if verdict else None))
        self.db.commit()

    def save_outcome(self, rid: str, record: Any) -> None:
        """`set_outcome` from an orchestrator record (its key, status, label,
        cost, acceptance, note and verdict), as it stands now."""
        self.set_outcome(rid, record.key, record.status, record.label, record.cost,
                         record.accepted, record.note, record.verdict)

    def candidates(self, rid: str) -> list[StoredCandidate]:
        rows = self.db.execute(
            "SELECT c.level, c.code, c.origin, c.rationale, c.parent, c.round, o.status, "
            "o.label, o.cost, o.accepted, o.note, o.verdict FROM candidates c LEFT JOIN outcomes o "
            "ON o.run_id = c.run_id AND o.key = c.key WHERE c.run_id = ? ORDER BY c.seq",
            (rid,)).fetchall()
        out = []
        for level, code, origin, rationale, parent, rnd, status, label, cost, acc, note, v in rows:
            cand = Candidate(level, code, origin, rationale or "", parent)
            out.append(StoredCandidate(cand, rnd, status, label,
                                       json.loads(cost) if cost else None, bool(acc), note,
                                       json.loads(v) if v else None))
        return out

    # ------------------------------------------------------------ verdict cache
    def cached_check(self, h: str) -> tuple[Verdict, str, str | None] | None:
        """(verdict, outcome status, label) cached under content hash `h`."""
        row = self.db.execute("SELECT verdict, status, label FROM verdicts WHERE hash = ?",
                              (h,)).fetchone()
        if not row:
            return None
        return verdict_from_json(json.loads(row[0])), row[1], row[2]

    def cache_check(self, h: str, verdict: Verdict, status: str, label: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?)",
                        (h, json.dumps(verdict.to_json()), status, label, time.time()))
        self.db.commit()

    # ------------------------------------------------------------ timings, events
    def set_timing(self, rid: str, key: str, timing: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO timings VALUES (?, ?, ?)",
                        (rid, key, json.dumps(timing)))
        self.db.commit()

    def timing(self, rid: str, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT timing FROM timings WHERE run_id = ? AND key = ?",
                              (rid, key)).fetchone()
        return json.loads(row[0]) if row else None

    def event(self, rid: str, kind: str, detail: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO events VALUES (?, ?, ?, ?)",
                        (rid, time.time(), kind, json.dumps(detail)))
        self.db.commit()

    def events(self, rid: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.db.execute("SELECT kind, detail FROM events WHERE run_id = ? ORDER BY t",
                               (rid,)).fetchall()
        return [(k, json.loads(d)) for k, d in rows]
