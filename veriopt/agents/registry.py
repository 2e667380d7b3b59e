"""The one table of agents: name → where its class lives, whether it works
without an LLM, and how to build it from the run's limits and budget.

Both `veriopt optimize` and `veriopt bench` pick agents from here, so a
new agent is one entry. Classes are imported only when an agent is built
(the LLM client and the synthesizer cost start-up time).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from veriopt.agents.base import Proposer
from veriopt.errors import BadInput
from veriopt.limits import Limits
from veriopt.verify.refinement import VerifyOptions

SEARCH_SHARE = 0.25        # of the run's budget, for an agent that searches until a deadline


@dataclass(frozen=True)
class AgentSpec:
    module: str
    cls: str
    offline: bool            # works without an LLM endpoint
    kind: str = "plain"      # plain | llm (endpoint settings) | search (a deadline)


AGENTS: dict[str, AgentSpec] = {
    "llm": AgentSpec("veriopt.agents.llm", "LLMAgent", offline=False, kind="llm"),
    "rules": AgentSpec("veriopt.agents.rules", "RulesAgent", offline=True),
    "passes": AgentSpec("veriopt.agents.passes", "PassesAgent", offline=True),
    "superopt": AgentSpec("veriopt.agents.superopt", "SuperoptAgent", offline=True,
                          kind="search"),
}
OFFLINE = tuple(name for name, spec in AGENTS.items() if spec.offline)


@dataclass
class Endpoint:
    """Where the LLM agent's server is (each None: its environment variable
    or the agent's default). The key never leaves the agent's client."""

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model: str | None = None


def parse_names(text: str | None, default: tuple[str, ...]) -> list[str]:
    """Agent names from `a,b,c` (the default when empty); BadInput names
    the unknown ones and the known."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()] or list(default)
    unknown = [n for n in names if n not in AGENTS]
    if unknown:
        raise BadInput(f"unknown agent(s): {', '.join(unknown)} (known: {', '.join(AGENTS)})")
    return names


def build(name: str, limits: Limits, budget_seconds: float,
          endpoint: Endpoint | None = None) -> Proposer:
    """One agent; ImportError/AttributeError when it is not installed.
    A search agent gets SEARCH_SHARE of the budget, not all of it."""
    spec = AGENTS[name]
    factory: Any = getattr(importlib.import_module(spec.module), spec.cls)
    if spec.kind == "llm":
        endpoint = endpoint or Endpoint()
        return factory(base_url=endpoint.base_url, api_key=endpoint.api_key,
                       model=endpoint.model, timeout=limits.llm_seconds)
    if spec.kind == "search":      # its own proofs (CEGIS) obey the user's solver time
        return factory(deadline=budget_seconds * SEARCH_SHARE,
                       verify_options=VerifyOptions(timeout=limits.solver_seconds))
    return factory()
