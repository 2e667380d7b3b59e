"""Memory (source, target) pairs: a random memory function and, as @tgt,
the source through one of LLVM's memory passes (instcombine, -O3, sroa,
dse, gvn, early-cse, memcpyopt, ...) or a hand-made memory mutation.
Its own generator stream, so the integer and FP pairs never change.
"""
from __future__ import annotations

import random
import re

from veriopt.verify.random_ir.instructions import weighted
from veriopt.verify.random_ir.mem_functions import random_mem_function
from veriopt.verify.random_ir.mem_model import mem_module_text
from veriopt.verify.random_ir.mem_mutations import mem_mutate
from veriopt.verify.random_ir.model import GeneratorError
from veriopt.verify.random_ir.mutations import rename_params_text
from veriopt.verify.random_ir.opt import body_lines, find_opt, run_opt, split_opt_output

# pipelines that rewrite memory, weighted
MEM_PASSES = (("instcombine", 22), ("O3", 14), ("sroa", 8), ("dse", 10), ("gvn", 10),
              ("early-cse<memssa>", 8), ("memcpyopt", 8), ("sroa,instcombine", 6),
              ("dse,instcombine", 5), ("gvn,dse", 5), ("mem2reg", 4))


def random_mem_pair(rng: random.Random, seed: str = "", p_opt: float = 0.3,
                    keep_unchanged: float = 0.1, opt: str | None = None):
    """A memory Pair (domain "mem"): opt's result with probability p_opt
    (when opt-22 exists), else a mutation of the source."""
    from veriopt.verify.random_ir.pairs import Pair
    for _ in range(20):
        src = random_mem_function(rng)
        if rng.random() < p_opt and (opt or find_opt()):
            passes = weighted(rng, MEM_PASSES).replace(
                "instcombine", "instcombine<no-verify-fixpoint>")
            try:
                out = run_opt(mem_module_text(src), passes, opt)
            except GeneratorError:   # opt gave up on it: a mutation instead
                out = None
            if out is None:
                res = mem_mutate(src, rng)
                if res is None:
                    continue
                tgt, desc = res
                return Pair(seed, "mutation", desc, src, mem_module_text(src, tgt.text("tgt")),
                            "mem")
            fn_text, extra = split_opt_output(out, "src")
            unchanged = body_lines(fn_text) == body_lines(src.text())
            if not (unchanged and rng.random() >= keep_unchanged):
                tgt_text = re.sub(r"@src\(", "@tgt(", fn_text, count=1)
                desc = f"opt -{passes if passes == 'O3' else 'passes=' + passes}"
                if rng.random() < 0.1:
                    renamed = rename_params_text(tgt_text, [n for n, _, _ in src.params], rng)
                    if renamed:
                        tgt_text, more = renamed
                        desc += "; " + more
                kind = ("unchanged" if unchanged else "O3" if passes == "O3"
                        else "instcombine" if passes.startswith("instcombine") else "opt")
                return Pair(seed, kind, desc, src, mem_module_text(src, tgt_text, extra), "mem")
        res = mem_mutate(src, rng)
        if res is None:
            continue
        tgt, desc = res
        return Pair(seed, "mutation", desc, src, mem_module_text(src, tgt.text("tgt")), "mem")
    raise GeneratorError("no applicable memory target in 20 attempts")
