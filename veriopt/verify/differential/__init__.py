"""Differential testing of veriopt's verifier against alive-tv (Alive2), the
referee nobody on this project wrote.

One pair (a module with @src and @tgt, from `random_ir`) goes through
veriopt in-process and through alive-tv in a child process, with
comparable solver timeouts; `classify` names the outcome:

    both-correct       both prove it
    both-incorrect     both refute it (`errors_agree` says whether the kinds match)
    unsound            veriopt correct, alive-tv incorrect      <- a soundness bug
    false-alarm        veriopt incorrect, alive-tv correct      <- a precision bug
    veriopt-undecided  alive-tv decided, veriopt did not (unknown, unsupported,
                       bounded, crashed, out of time)
    alive-undecided    alive-tv did not decide (timeout, unsupported, crash)
    invalid            the pair could not be generated or LLVM rejected it

`run_pairs` runs many pairs in parallel, each in a forked child process with
a wall-clock limit, so a hang or a crash of either checker costs one pair,
never the run. For disagreements it re-runs both checkers without undef
inputs (and without poison inputs) to say which input class is involved.

The stages, one module each: outcome (sides, categories), running (both
checkers on one pair), parallel (many pairs, isolated), table (the
agreement table and kept files), reduce (shrinking a disagreement).
"""
from veriopt.verify.differential.outcome import (
    ALIVE_UNDECIDED, BOTH_CORRECT, BOTH_INCORRECT, CATEGORIES, DECIDED, DISAGREEMENTS,
    ERROR_KIND, FALSE_ALARM, INVALID, PAIR_QUERY_SECONDS, UNSOUND, VARIANTS,
    VERIOPT_UNDECIDED, Outcome, Side, categorize, classify, group_key, one_line,
)
from veriopt.verify.differential.parallel import RunConfig, run_pairs
from veriopt.verify.differential.reduce import (
    REDUCE_SECONDS, reduce_outcome, reduction_candidates, tidy_declarations,
)
from veriopt.verify.differential.running import (
    compare_pair, compare_text, locate_alive_tv, repo_root, run_alive, run_veriopt,
)
from veriopt.verify.differential.table import (
    groups, keep, safe_name, signature, summarize, worth_keeping,
)

__all__ = [
    "ALIVE_UNDECIDED", "BOTH_CORRECT", "BOTH_INCORRECT", "CATEGORIES", "DECIDED",
    "DISAGREEMENTS", "ERROR_KIND", "FALSE_ALARM", "INVALID", "Outcome", "PAIR_QUERY_SECONDS",
    "REDUCE_SECONDS", "RunConfig", "Side", "UNSOUND", "VARIANTS", "VERIOPT_UNDECIDED",
    "categorize", "classify", "compare_pair", "compare_text", "group_key", "groups", "keep",
    "locate_alive_tv", "one_line", "reduce_outcome", "reduction_candidates", "repo_root",
    "run_alive", "run_pairs", "run_veriopt", "safe_name", "signature", "summarize",
    "tidy_declarations", "worth_keeping",
]
