"""Turn an input file into the optimizer's jobs: read and validate it, find
the function, compute the -O3 baseline and the compiler's missed-optimization
remarks (feedback for the agents).

C input yields two jobs: IR (the function as clang -O3 lowers it, so IR
agents work on what the compiler produced) and C (the source itself, for
agents that write C). IR input yields one. Every problem with the input is
a BadInput (one line, exit 2).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from veriopt.agents.base import Task
from veriopt.agents.gates import CGate, IRGate
from veriopt.agents.jobs import Job
from veriopt.bench.lowering import clang_remarks, lower_c
from veriopt.errors import BadInput, Unsupported
from veriopt.limits import Limits
from veriopt.tools import OPT

MAX_REMARKS = 60


@dataclass
class Prepared:
    kind: str                 # "ir" | "c"
    path: str
    text: str
    function: str
    jobs: list[Job]


def read_input(path: str) -> tuple[str, str]:
    """(kind, text) of an input file, by its suffix."""
    p = Path(path)
    kind = {".ll": "ir", ".c": "c"}.get(p.suffix)
    if kind is None:
        raise BadInput("expected a .c or .ll file", path)
    try:
        return kind, p.read_text()
    except FileNotFoundError:
        raise BadInput("no such file", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read it: {exc}", path) from None


def prepare(path: str, function: str | None, levels: set[str],
            limits: Limits | None = None) -> Prepared:
    """The jobs for one input; their gates check within the user's `limits`
    (solver time, loop bound, fuzzing, compile time)."""
    limits = limits or Limits()
    kind, text = read_input(path)
    if kind == "ir":
        return _prepare_ir(path, text, function, limits)
    return _prepare_c(path, text, function, levels, limits)


def _defined_function(text: str, function: str | None, path: str) -> str:
    from veriopt.ir.loader import load_text
    try:
        module = load_text(text, path)
    except Unsupported as exc:
        raise BadInput(f"unsupported IR: {exc.feature}", path) from None
    defined = [n for n, f in module.functions.items() if not f.is_declaration]
    if function is None:
        if len(defined) != 1:
            raise BadInput(f"defines {len(defined)} functions; name one with --function", path)
        return defined[0]
    if function not in defined:
        raise BadInput(f"no definition of @{function}", path)
    return function


def _prepare_ir(path: str, text: str, function: str | None, limits: Limits) -> Prepared:
    fn = _defined_function(text, function, path)
    baseline, remarks = _opt_o3(text, limits.compile_seconds)
    gate = IRGate(limits)
    task = Task(fn, "ir", text, baseline_ir=baseline or text, source_path=path,
                feedback={"remarks": remarks})
    job = Job(task, gate, baseline or text)
    job.baseline_cost = _cheapest(gate, task, [text, baseline])
    return Prepared("ir", path, text, fn, [job])


def _prepare_c(path: str, text: str, function: str | None, levels: set[str],
               limits: Limits) -> Prepared:
    from veriopt.translation.c_frontend import load
    program = load(path, text)
    if function is None:
        if len(program.functions) != 1:
            raise BadInput(f"defines {len(program.functions)} functions; name one with "
                           "--function", path)
        function = next(iter(program.functions))
    if function not in program.functions:
        raise BadInput(f"no definition of '{function}'", path)
    baseline = lower_c(text, "-O3", Path(path).name, limits.compile_seconds)
    fn = _defined_function(baseline, function, path)
    remarks = clang_remarks(text, Path(path).name, limits.compile_seconds)[:MAX_REMARKS]
    jobs = []
    if "ir" in levels:
        gate = IRGate(limits, how="proved (refines clang -O3 IR of the C source)")
        task = Task(fn, "ir", baseline, baseline_ir=baseline, source_path=path,
                    feedback={"remarks": remarks})
        jobs.append(Job(task, gate, baseline))
    if "c" in levels:
        gate_c = CGate(limits)
        task = Task(fn, "c", text, baseline_ir=baseline, source_path=path,
                    feedback={"remarks": remarks})
        job = Job(task, gate_c, text)
        job.baseline_cost = IRGate(limits).cost(task, baseline)
        jobs.append(job)
    return Prepared("c", path, text, fn, jobs)


def _cheapest(gate: IRGate, task: Task, texts: list[str | None]) -> dict:
    costs = []
    for text in texts:
        if text:
            try:
                costs.append(gate.cost(task, text))
            except (BadInput, Unsupported, KeyError):
                continue
    if not costs:
        raise BadInput("cannot compute the cost of the function", task.source_path)
    return min(costs, key=lambda c: (c["weighted"], c["instructions"]))


def _opt_o3(text: str, timeout: float) -> tuple[str | None, list[str]]:
    """LLVM -O3 of an IR module and its missed-optimization remarks."""
    exe = shutil.which(OPT)
    if exe is None:
        return None, []
    with tempfile.TemporaryDirectory(prefix="veriopt-opt-") as tmp:
        src = Path(tmp) / "input.ll"
        src.write_text(text)
        proc = subprocess.run([exe, "-O3", "-S", "-pass-remarks-missed=.*", "-o", "-", str(src)],
                              capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return None, []
    return proc.stdout, [ln.strip() for ln in proc.stderr.splitlines()
                         if "remark" in ln][:MAX_REMARKS]
