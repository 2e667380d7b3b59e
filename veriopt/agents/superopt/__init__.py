"""The `superopt` agent (see agent.py), by stage: components (what may be
used), semantics and concrete (their meaning, from the verifier's
registry), harvest (the problem), enumeration, cegis, emit."""
from veriopt.agents.superopt.agent import SuperoptAgent
from veriopt.agents.superopt.harvest import Problem, initial_examples

__all__ = ["Problem", "SuperoptAgent", "initial_examples"]
