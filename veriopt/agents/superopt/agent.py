"""The `superopt` agent: synthesis of a cheaper computation of the value a
function returns (the Souper idea, on our own verifier and semantics).

Stages, each in its own module: harvest (the problem and its examples),
enumeration (expressions by cost), cegis (constants, checks, proofs),
emit (the replacement module). Nothing leaves the agent that `verify_ir`
did not prove.
"""
from __future__ import annotations

import re
import time

from veriopt.agents.base import Candidate, Task
from veriopt.agents.superopt.cegis import Search
from veriopt.agents.superopt.components import Expr, expr_cost
from veriopt.agents.superopt.harvest import Example, Problem, initial_examples
from veriopt.bench.cost import function_cost
from veriopt.errors import BadInput, Unsupported
from veriopt.ir.loader import canonicalize, load_text
from veriopt.ir.model import IntConst
from veriopt.ir.types import IntType
from veriopt.limits import Limits
from veriopt.verify.refinement import VerifyOptions
from veriopt.verify.verdict import Verdict

RESTARTS = 12          # enumerations restarted with a new counterexample, at most
CONSTANT_POOL = 12     # constants the enumeration uses as leaves, at most
SOLVED_HOLES = 300     # expressions tried with a z3-solved constant, per cost level


class SuperoptAgent:
    """Synthesises a cheaper return value; proposes only what verify_ir proved.

    `limits.solver_seconds` bounds each proof and each all-inputs check
    (unless `verify_options` is given, which then rules the proofs)."""

    name = "superopt"

    def __init__(self, deadline: float = 30.0, max_cost: int = 4, examples: int = 12,
                 verify_options: VerifyOptions | None = None, limits: Limits | None = None):
        self.deadline = deadline
        self.max_cost = max_cost
        self.examples = examples
        self.limits = limits or Limits()
        self.verify_options = verify_options or VerifyOptions(timeout=self.limits.solver_seconds)
        self.extra_examples: list[Example] = []
        self.solved_holes = SOLVED_HOLES
        self._cache: dict[tuple[str, str, int, int], list[Candidate]] = {}

    def propose(self, task: Task) -> list[Candidate]:
        """The proved cheaper version, or nothing; a task already searched
        with the same examples answers from the cache (the search is
        deterministic, and the orchestrator may ask again)."""
        if task.level != "ir":
            return []
        key = (task.source, task.function, len(self.extra_examples), self.max_cost)
        if key not in self._cache:
            self._cache[key] = self._propose(task)
        return list(self._cache[key])

    def _propose(self, task: Task) -> list[Candidate]:
        try:
            text = canonicalize(task.source)
            fn = load_text(text).functions[task.function]
        except (BadInput, Unsupported, KeyError):
            return []
        problem = Problem.of(fn)
        if problem is None:
            return []
        source_cost = function_cost(fn)[1]
        found = self.search(problem, text, task.source, min(source_cost - 1, self.max_cost),
                            time.monotonic() + self.deadline)
        if found is None:
            return []
        expr, code = found
        return [Candidate("ir", code, self.name,
                          f"synthesised (cost {expr_cost(expr)} < {source_cost}): {expr}")]

    def search(self, problem: Problem, text: str, source: str, max_cost: int,
               deadline: float) -> tuple[Expr, str] | None:
        """The cheapest proved expression of cost <= max_cost, or None."""
        if max_cost < 1:
            return None
        extra = [{n: v & ((1 << problem.arg_widths[n]) - 1) for n, v in ex.items()}
                 for ex in self.extra_examples if set(ex) == set(problem.args)]
        examples = initial_examples(problem, self.examples) + [
            ex for ex in extra if problem.output(ex) is not None]
        search = Search(problem, text, source, self.verify_options, deadline, self.solved_holes)
        constants = _constants(problem)
        for _restart in range(RESTARTS):
            if search.late() or not examples:
                return None
            outcome = search.one_pass(examples, constants, max_cost)
            if outcome is None:
                return None
            if isinstance(outcome, dict):
                examples.append(outcome)       # a counterexample: restart with it
                continue
            return outcome
        return None

    def repair(self, task: Task, candidate: Candidate, verdict: Verdict) -> list[Candidate]:
        """A refuted synthesis result: keep its counterexample's inputs as
        examples and search again."""
        cex = verdict.counterexample
        inputs = getattr(cex, "inputs", None) if cex is not None else None
        pairs = inputs.items() if isinstance(inputs, dict) else (inputs or [])
        values = {}
        for name, text in pairs:
            decimal = re.search(r"\((-?\d+)\)", str(text))
            hexa = re.match(r"#x([0-9a-fA-F]+)", str(text))
            if decimal or hexa:
                value = int(decimal.group(1)) if decimal else int(hexa.group(1), 16)
                values[str(name).lstrip("%")] = value
        if not values:
            return []
        self.extra_examples.append(values)
        return self.propose(task)


def _constants(problem: Problem) -> list[int]:
    """Leaf constants: small ones, all ones, the width less one, and each
    constant of the source with its neighbours and negation."""
    w = problem.width
    m = (1 << w) - 1
    pool = [1, 2, 3, w - 1, m]
    for instr in problem.fn.instructions():
        for op in instr.operands:
            if isinstance(op, IntConst) and isinstance(op.type, IntType) \
                    and op.type.width == w:
                v = op.value & m
                pool += [v, (v - 1) & m, (v + 1) & m, (-v) & m]
    return list(dict.fromkeys(c for c in pool if c != 0))[:CONSTANT_POOL]
