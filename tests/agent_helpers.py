"""Proposers, jobs and programs shared by the orchestrator, report and
command tests: small real agents (classes implementing the protocol) and
rewrites whose verdicts are known by hand."""
from __future__ import annotations

import os

import pytest

from veriopt.agents.base import Candidate, Task
from veriopt.agents.gates import CGate, IRGate
from veriopt.agents.orchestrator import Budget, Job, Options, Orchestrator
from veriopt.agents.store import Store
from veriopt.bench.lowering import lower_c
from veriopt.limits import Limits
from veriopt.verify.verdict import Verdict

SRC = """define i32 @f(i32 %x) {
  %a = add i32 %x, 0
  %b = xor i32 %a, 0
  %c = mul i32 %b, 2
  ret i32 %c
}
"""


def shl(k: int, dead: int = 0, name: str = "r") -> str:
    extra = "".join(f"  %d{i} = add i32 %x, {i}\n" for i in range(dead))
    return f"define i32 @f(i32 %x) {{\n{extra}  %{name} = shl i32 %x, {k}\n  ret i32 %{name}\n}}\n"


GOOD, WRONG = shl(1), shl(2)
# a baseline cost every small candidate beats, for tests of the gates rather than of the cost rule
DEAR = {"instructions": 50, "weighted": 100.0, "mca_cycles": None}


class Scripted:
    """Proposes the given batches in turn; repairs from a map code -> code."""

    def __init__(self, name: str, batches: list[list[str]], fixes: dict[str, str] | None = None):
        self.name = name
        self.batches = list(batches)
        self.fixes = fixes or {}
        self.calls = 0
        self.repairs: list[Verdict] = []

    def propose(self, task: Task) -> list[Candidate]:
        self.calls += 1
        batch = self.batches.pop(0) if self.batches else []
        return [Candidate("ir", code, self.name) for code in batch]

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        self.repairs.append(verdict)
        fix = self.fixes.get(candidate.code)
        return [Candidate("ir", fix, self.name)] if fix else []


def orchestrate(agents, store=None, gate=None, options=None, **budget):
    job = Job(Task("f", "ir", SRC, baseline_ir=SRC), gate or IRGate(), SRC)
    return Orchestrator([job], agents, store or Store(), Budget(**{"seconds": 60, **budget}),
                        options=options)


# clang -O3 keeps a (vectorised) loop for this; the rewrite is two instructions.
# n may need 65535 iterations, more than the C checker unrolls (8, or a loop's
# full trip count up to a limit far below that): the check is only `bounded`.
PARITY_LOOP = ("unsigned f(unsigned short n) {\n  unsigned s = 0;\n"
               "  for (unsigned i = 0; i < n; i++) s ^= 1;\n  return s;\n}\n")
PARITY = "unsigned f(unsigned short n) { return n & 1; }\n"
class CScripted(Scripted):
    task_levels = ("c",)

    def propose(self, task):
        self.calls += 1
        batch = self.batches.pop(0) if self.batches else []
        return [Candidate("c", code, self.name) for code in batch]


def c_job() -> Job:
    return Job(Task("f", "c", PARITY_LOOP, baseline_ir=lower_c(PARITY_LOOP)),
               CGate(Limits(unroll=8, fuzz_examples=300, fuzz_seconds=10)), PARITY_LOOP)


ALIVE = os.environ.get("VERIOPT_ALIVE_TV", "/work/shared/tools/alive2/run-alive-tv")


def real_alive_tv(monkeypatch) -> str:
    from veriopt.verify.alive_tv import find_alive_tv
    monkeypatch.setenv("VERIOPT_ALIVE_TV", ALIVE)
    exe = find_alive_tv()
    if exe is None:
        pytest.skip(f"alive-tv cannot start ({ALIVE}: missing, or its libraries are)")
    return exe


def fake_alive_tv(tmp_path, monkeypatch) -> str:
    """An 'alive-tv' that refutes everything (as a buggy checker would)."""
    from veriopt.verify.alive_tv import find_alive_tv
    exe = tmp_path / "alive-tv"
    exe.write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'alive-tv.args'}\n"
                   "printf 'Transformation doesn\\047t verify!\\nERROR: Value mismatch\\n'\n")
    exe.chmod(0o755)
    monkeypatch.setenv("VERIOPT_ALIVE_TV", str(exe))
    assert find_alive_tv() == str(exe)
    return str(exe)


SUM3_LOOP = """define i32 @f(i32 noundef %n) {
entry:
  br label %cond
cond:
  %s = phi i32 [ 0, %entry ], [ %add, %body ]
  %i = phi i32 [ 0, %entry ], [ %inc, %body ]
  %cmp = icmp ult i32 %i, %n
  br i1 %cmp, label %body, label %end
body:
  %add = add i32 %s, 3
  %inc = add i32 %i, 1
  br label %cond
end:
  ret i32 %s
}
"""
# two loops in a row, each adding 3 n times: 6*n. Induction handles one loop
# per function, so a check of this rewrite stays bounded (SUM3_LOOP's 3*n is
# proved for every n)
TWO_LOOPS = SUM3_LOOP.replace("label %end", "label %mid").replace("end:\n  ret i32 %s\n", """mid:
  br label %cond2
cond2:
  %t = phi i32 [ %s, %mid ], [ %add2, %body2 ]
  %j = phi i32 [ 0, %mid ], [ %inc2, %body2 ]
  %cmp2 = icmp ult i32 %j, %n
  br i1 %cmp2, label %body2, label %end
body2:
  %add2 = add i32 %t, 3
  %inc2 = add i32 %j, 1
  br label %cond2
end:
  ret i32 %t
""")
MUL6 = "define i32 @f(i32 noundef %n) {\n  %r = mul i32 %n, 6\n  ret i32 %r\n}\n"

def mixed_run():
    """A C file optimized at both levels: a proved IR rewrite (after one
    refuted try) and a bounded C rewrite accepted with its label; both timed."""
    ir_job = Job(Task("f", "ir", SRC, baseline_ir=SRC), IRGate(), SRC)
    agents = [Scripted("rules", [[WRONG]], {WRONG: GOOD}), CScripted("llm", [[PARITY]])]
    result = Orchestrator([ir_job, c_job()], agents, Store(), Budget(seconds=60),
                          options=Options(bounded="label")).run()
    for rec, ratio in zip(result.accepted, (0.5, 0.8)):
        rec.timing = {"median_ratio": ratio, "spread": 0.04, "runs": 7}
    return result
