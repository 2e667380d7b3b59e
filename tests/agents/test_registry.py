"""The one agent table: names, offline agents, and limits passed to what it builds."""
from __future__ import annotations

import pytest
from veriopt.agents import registry
from veriopt.errors import BadInput
from veriopt.limits import Limits


def test_offline_agents_need_no_llm():
    assert set(registry.OFFLINE) == {"rules", "passes", "superopt"}
    assert "llm" in registry.AGENTS and "llm" not in registry.OFFLINE


def test_names_default_and_unknown():
    assert registry.parse_names("", registry.OFFLINE) == list(registry.OFFLINE)
    assert registry.parse_names(" passes , rules", ()) == ["passes", "rules"]
    with pytest.raises(BadInput, match="unknown agent.*nope.*known: llm"):
        registry.parse_names("passes,nope", ())


def test_limits_and_budget_reach_the_agents():
    limits = Limits(solver_seconds=3.0, llm_seconds=7.0)
    superopt = registry.build("superopt", limits, budget_seconds=40.0)
    assert superopt.deadline == 40.0 * registry.SEARCH_SHARE
    assert superopt.verify_options.timeout == 3.0
    llm = registry.build("llm", limits, 40.0, registry.Endpoint("http://127.0.0.1:9/v1", "k", "m"))
    assert llm.timeout == 7.0 and llm.model == "m"
    assert registry.build("passes", limits, 40.0).name == "passes"
