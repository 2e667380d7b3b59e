"""The `rules` agent and its peephole library, by stage: table (the rules),
matcher, emitter (target IR and module rewriting), instantiate (the pairs
the tests prove), agent."""
from veriopt.agents.rules.agent import RulesAgent, applications
from veriopt.agents.rules.emitter import function_span, intrinsic_declarations
from veriopt.agents.rules.instantiate import constant_choices, instantiate
from veriopt.agents.rules.matcher import match_rule
from veriopt.agents.rules.table import RULES, RULES_BY_NAME, WRONG_RULES, Rule

__all__ = ["RULES", "RULES_BY_NAME", "WRONG_RULES", "Rule", "RulesAgent", "applications",
           "constant_choices", "function_span", "instantiate", "intrinsic_declarations",
           "match_rule"]
