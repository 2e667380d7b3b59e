"""Static cost of one function: what the agents minimise and the bench
compares before any timing is run.

Two measures. `weighted` counts instructions with a rough latency weight
(see WEIGHTS); it is cheap, deterministic and what both the optimizer's
acceptance rule (`cheaper`) and `veriopt bench` rank by: this is the one
cost model of the project. `mca_cycles` is llvm-mca's throughput estimate
of `llc -O3` code for the function, where both tools are installed: closer
to the machine, but slower and absent on some hosts, so it is optional.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veriopt.ir.loader import load_text
from veriopt.ir.model import Function, Instr
from veriopt.limits import COMPILE_SECONDS

# opcode -> weight; anything not listed costs 1. Why these numbers: integer
# division and remainder take some 10-40 cycles of latency on current x86 and
# Arm cores against 1 for an add and 3-4 for a multiply, and are not
# pipelined; 10 is the low end of that range, so a rewrite that trades one
# division for a handful of cheap instructions wins, while one that trades it
# for a dozen does not. Copies, `freeze` and `ret` emit no instruction. The
# bundled corpus's expected costs (corpus/opt/manifest.json) are computed
# with these weights: changing one means recomputing them.
WEIGHTS: dict[str, int] = {
    "udiv": 10, "sdiv": 10, "urem": 10, "srem": 10,
    "mul": 3,
    "ret": 0, "bitcast": 0, "freeze": 0, "unreachable": 0,
}
# intrinsics that are a single cheap instruction (or a short fixed sequence)
FREE_CALLS = ("llvm.assume",)

MCA_TOOLS = ("llvm-mca-22", "llvm-mca")
LLC_TOOLS = ("llc-22", "llc")


@dataclass(frozen=True)
class Cost:
    instructions: int
    weighted: int
    mca_cycles: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The form records, the store and reports keep (numbers as numbers)."""
        return {"instructions": int(self.instructions), "weighted": float(self.weighted),
                "mca_cycles": None if self.mca_cycles is None else float(self.mca_cycles)}


def cheaper(cost: dict[str, Any], best: dict[str, Any]) -> bool:
    """Strictly cheaper than `best` (both as `Cost.to_json`): lower weighted
    cost, or equal and fewer instructions; never worse in llvm-mca cycles
    when both sides have them."""
    if cost.get("mca_cycles") is not None and best.get("mca_cycles") is not None:
        if cost["mca_cycles"] > best["mca_cycles"]:
            return False
    return (cost["weighted"], cost["instructions"]) < (best["weighted"], best["instructions"])


def instr_weight(instr: Instr) -> int:
    """The weight of one instruction (see WEIGHTS); unconditional branches
    are free, since block layout usually removes them."""
    if instr.opcode == "br" and len(instr.operands) <= 1 and not instr.extra.get("cond"):
        targets = instr.extra.get("targets") or []
        if len(targets) <= 1:
            return 0
    if instr.opcode == "call" and str(instr.extra.get("callee", "")).lstrip("@") in FREE_CALLS:
        return 0
    return WEIGHTS.get(instr.opcode, 1)


def function_cost(fn: Function) -> tuple[int, int]:
    """(instruction count without ret, weighted cost) of a typed function."""
    instrs = [i for i in fn.instructions() if i.opcode != "ret"]
    return len(instrs), sum(instr_weight(i) for i in fn.instructions())


def static_cost(module_text: str, fn: str, mca: bool = True) -> Cost:
    """Cost of @fn in the module; `mca=False` skips llvm-mca (fast path)."""
    module = load_text(module_text)
    if fn not in module.functions or module.functions[fn].is_declaration:
        raise KeyError(f"no definition of @{fn}")
    count, weighted = function_cost(module.functions[fn])
    cycles = mca_cycles(module.text, fn) if mca else None
    return Cost(count, weighted, cycles)


def _tool(names: tuple[str, ...]) -> str | None:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


_TOTAL_CYCLES = re.compile(r"Total Cycles:\s+(\d+)")
_ITERATIONS = re.compile(r"Iterations:\s+(\d+)")


def mca_cycles(module_text: str, fn: str, timeout: float = COMPILE_SECONDS) -> float | None:
    """llvm-mca's cycles per iteration of @fn's body compiled by llc -O3,
    or None where the tools are missing or fail (never a guess)."""
    llc, mca = _tool(LLC_TOOLS), _tool(MCA_TOOLS)
    if not llc or not mca:
        return None
    with tempfile.TemporaryDirectory(prefix="veriopt-mca-") as tmp:
        ll = Path(tmp) / "in.ll"
        ll.write_text(module_text)
        try:
            asm = subprocess.run([llc, "-O3", "-o", "-", str(ll)], capture_output=True,
                                 text=True, timeout=timeout)
            if asm.returncode != 0:
                return None
            body = _function_asm(asm.stdout, fn)
            if not body:
                return None
            out = subprocess.run([mca, "-iterations=100"], input=body, capture_output=True,
                                 text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            return None
    total, iters = _TOTAL_CYCLES.search(out.stdout), _ITERATIONS.search(out.stdout)
    if out.returncode != 0 or not total or not iters:
        return None
    return int(total.group(1)) / int(iters.group(1))


def _function_asm(asm: str, fn: str) -> str:
    """The instructions of @fn's body in llc's output (labels and
    directives dropped), which is what llvm-mca reads."""
    lines = asm.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.split("#")[0].strip() == f"{fn}:")
    except StopIteration:
        return ""
    body = []
    for line in lines[start + 1:]:
        text = line.split("#")[0].strip()
        if text.startswith(".Lfunc_end") or text.startswith(".size"):
            break
        if not text or text.startswith((".", "#")) or text.endswith(":"):
            continue
        body.append(text)
    return "\n".join(body) + "\n"
