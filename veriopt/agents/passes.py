"""The `passes` agent: LLVM itself as a proposer.

LLVM's pipelines (O1-O3 through llvmlite's new pass manager; Os/Oz and
single passes llvmlite does not expose through `opt-22` when installed)
are run on the task's module, and every result whose function body
changed is proposed. They are not trusted: LLVM has had miscompiles, and
the verifier checks each output like any other candidate.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from veriopt.agents.base import Candidate, Task
from veriopt.errors import BadInput, Unsupported
from veriopt.ir.loader import _llvm, load_text
from veriopt.limits import COMPILE_SECONDS
from veriopt.verify.verdict import Verdict

# name -> llvmlite NewPassManager method names, applied in order
LLVMLITE_SEQUENCES: dict[str, tuple[str, ...]] = {
    "instcombine": ("add_instruction_combine_pass",),
    "reassociate,instcombine": ("add_reassociate_pass", "add_instruction_combine_pass"),
    "simplifycfg,instcombine": ("add_simplify_cfg_pass", "add_instruction_combine_pass"),
    "aggressive-instcombine,instcombine": ("add_aggressive_instcombine_pass",
                                           "add_instruction_combine_pass"),
    "sccp,instcombine,dce": ("add_sccp_pass", "add_instruction_combine_pass",
                             "add_dead_code_elimination_pass"),
    "simplifycfg,newgvn,instcombine,simplifycfg": (
        "add_simplify_cfg_pass", "add_new_gvn_pass", "add_instruction_combine_pass",
        "add_simplify_cfg_pass"),
}
# pipelines given to `opt-22 -passes=...` when it is installed
OPT_PIPELINES: tuple[str, ...] = (
    "default<Os>", "default<Oz>", "early-cse,instcombine",
    "early-cse,reassociate,instcombine,simplifycfg")
OPT_TOOLS = ("opt-22",)


def run_level(text: str, speed_level: int) -> str:
    """The module after LLVM's default<O`speed_level`> pipeline."""
    llvm = _llvm()
    mod = llvm.parse_assembly(text)
    tm = llvm.Target.from_default_triple().create_target_machine()
    pto = llvm.create_pipeline_tuning_options(speed_level=speed_level)
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    return str(mod)


def run_passes(text: str, methods: tuple[str, ...]) -> str:
    """The module after the given llvmlite pass-adding methods, in order."""
    llvm = _llvm()
    mod = llvm.parse_assembly(text)
    tm = llvm.Target.from_default_triple().create_target_machine()
    pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=0))
    fpm = llvm.create_new_function_pass_manager()
    for method in methods:
        getattr(fpm, method)()
    for fn in mod.functions:
        if not fn.is_declaration:
            fpm.run(fn, pb)
    return str(mod)


def run_opt(text: str, pipeline: str, timeout: float = COMPILE_SECONDS) -> str | None:
    """The module after `opt-22 -passes=pipeline`, or None without opt-22
    or when it fails (opt runs in its own process with a time limit)."""
    opt = next((p for p in map(shutil.which, OPT_TOOLS) if p), None)
    if not opt:
        return None
    with tempfile.TemporaryDirectory(prefix="veriopt-opt-") as tmp:
        path = Path(tmp) / "in.ll"
        path.write_text(text)
        try:
            out = subprocess.run([opt, "-S", f"-passes={pipeline}", str(path)],
                                 capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            return None
    return out.stdout if out.returncode == 0 else None


def body_and_signature(text: str, fn: str) -> tuple[tuple[str, ...], tuple] | None:
    """The function's instruction texts and its (return, parameter) types,
    or None when the module does not define it (what makes two versions
    the same for the agents' purpose)."""
    try:
        module = load_text(text)
    except (BadInput, Unsupported):
        return None
    func = module.functions.get(fn)
    if func is None or func.is_declaration:
        return None
    body = tuple(i.text for b in func.blocks for i in b.instrs)
    signature = (str(func.ret_type), tuple(str(p.type) for p in func.params))
    return body, signature


class PassesAgent:
    """Proposes LLVM's own optimisation of the module, pipeline by pipeline."""

    name = "passes"

    def __init__(self, levels: tuple[int, ...] = (1, 2, 3), use_opt: bool = True):
        self.levels = levels
        self.use_opt = use_opt

    def outputs(self, text: str) -> list[tuple[str, str]]:
        """(pipeline name, output module) for every pipeline that ran."""
        results: list[tuple[str, str]] = []
        for level in self.levels:
            results.append((f"O{level}", run_level(text, level)))
        for name, methods in LLVMLITE_SEQUENCES.items():
            results.append((name, run_passes(text, methods)))
        if self.use_opt:
            for pipeline in OPT_PIPELINES:
                out = run_opt(text, pipeline)
                if out is not None:
                    results.append((pipeline, out))
        return results

    def propose(self, task: Task) -> list[Candidate]:
        """Each pipeline's output whose body of `task.function` changed and
        whose signature did not; duplicates are dropped."""
        if task.level != "ir":
            return []
        original = body_and_signature(task.source, task.function)
        if original is None:
            return []
        seen = {original[0]}
        candidates = []
        for pipeline, out in self.outputs(task.source):
            version = body_and_signature(out, task.function)
            if version is None or version[1] != original[1] or version[0] in seen:
                continue
            seen.add(version[0])
            candidates.append(Candidate("ir", out, self.name, f"LLVM pipeline {pipeline}"))
        return candidates

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        """A pipeline is deterministic: there is nothing to repair."""
        return []
