"""The `rules` agent: applies the verified rule library (table.py)
greedily, never raising the cost, and proposes every intermediate module
and the fixpoint. Applying a rule rewrites the module text, so the result
is an ordinary candidate the orchestrator verifies again."""
from __future__ import annotations

from typing import Iterator

from veriopt.agents.base import Candidate, Task
from veriopt.agents.rules.emitter import rewrite
from veriopt.agents.rules.matcher import match_rule
from veriopt.agents.rules.table import RULES, Rule
from veriopt.bench.cost import function_cost
from veriopt.errors import BadInput, Unsupported
from veriopt.ir.loader import canonicalize, load_text
from veriopt.ir.model import Function, Instr
from veriopt.ir.types import IntType
from veriopt.verify.verdict import Verdict


def _def_map(fn: Function) -> dict[str, Instr]:
    return {i.name: i for i in fn.instructions() if i.name}


def applications(module_text: str, fn_name: str) -> Iterator[tuple[Rule, str]]:
    """Every (rule, rewritten module text) for one rule applied once at one
    instruction of @fn_name; the text is LLVM's printing after dead-code
    elimination."""
    from veriopt.agents.passes import run_passes
    module = load_text(module_text)
    fn = module.functions[fn_name]
    defs = _def_map(fn)
    for instr in fn.instructions():
        if not instr.name or not isinstance(instr.type, IntType):
            continue
        for rule in RULES:
            b = match_rule(rule, instr, defs)
            if b is None:
                continue
            try:
                text = canonicalize(rewrite(module.text, fn, instr, rule, b))
                text = run_passes(text, ("add_dead_code_elimination_pass",))
            except (BadInput, StopIteration, RuntimeError):
                continue
            yield rule, text


def _weighted(text: str, fn: str) -> int:
    return function_cost(load_text(text).functions[fn])[1]


class RulesAgent:
    """Applies the verified rule library greedily (never raising the cost)
    and proposes every intermediate module and the fixpoint."""

    name = "rules"

    def __init__(self, max_steps: int = 32):
        self.max_steps = max_steps

    def propose(self, task: Task) -> list[Candidate]:
        if task.level != "ir":
            return []
        try:
            text = canonicalize(task.source)
            cost = _weighted(text, task.function)
        except (BadInput, Unsupported, KeyError):
            return []
        candidates: list[Candidate] = []
        seen = {text}
        applied: list[str] = []
        for _ in range(self.max_steps):
            step = self._best_step(text, task.function, cost, seen)
            if step is None:
                break
            rule, text, cost = step
            seen.add(text)
            applied.append(rule.name)
            candidates.append(Candidate("ir", text, self.name, "rules: " + ", ".join(applied)))
        return candidates[::-1]           # the most rewritten first

    def _best_step(self, text: str, fn: str, cost: int,
                   seen: set[str]) -> tuple[Rule, str, int] | None:
        best = None
        try:
            for rule, new in applications(text, fn):
                if new in seen:
                    continue
                new_cost = _weighted(new, fn)
                if new_cost <= cost and (best is None or new_cost < best[2]):
                    best = (rule, new, new_cost)
        except (BadInput, Unsupported):
            return None
        return best

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        """Rules are proved once for all widths: a refutation is a bug in the
        library, not something to repair per task."""
        return []
