"""(source, target) pairs: a random function and, as @tgt, opt-22's
result or a mutation; `pair_for(seed, i)` reproduces pair i of a run.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from veriopt.verify.random_ir.fp import random_fp_function
from veriopt.verify.random_ir.fp_model import fp_module_text
from veriopt.verify.random_ir.fp_mutations import fp_mutate
from veriopt.verify.random_ir.functions import random_function
from veriopt.verify.random_ir.model import Function, GeneratorError, module_text
from veriopt.verify.random_ir.mutations import mutate, rename_params_text
from veriopt.verify.random_ir.opt import body_lines, find_opt, run_opt, split_opt_output

@dataclass
class Pair:
    seed: str               # what reproduces it: "<seed>:<index>"
    kind: str               # "instcombine" | "O3" | "mutation" | "unchanged"
    description: str
    src: Function           # (an FFunction for floating-point pairs)
    text: str               # the module: @src, @tgt, declarations
    domain: str = "int"     # "int" | "fp" | "mem"

    @property
    def is_opt(self) -> bool:
        return self.kind in ("instcombine", "O3", "unchanged", "opt")


def pair_seed(seed: int | str, index: int) -> str:
    return f"{seed}:{index}"


def random_pair(rng: random.Random, seed: str = "", p_opt: float = 0.3,
                keep_unchanged: float = 0.1, opt: str | None = None, fp: bool = False) -> Pair:
    """A source function and a target: opt's result (probability p_opt, when
    opt-22 exists) or a mutation of the source. `fp`: a floating-point one."""
    generate, mutate_, module = ((random_fp_function, fp_mutate, fp_module_text) if fp
                                 else (random_function, mutate, module_text))
    domain = "fp" if fp else "int"
    for _ in range(20):
        src = generate(rng)
        if rng.random() < p_opt and (opt or find_opt()):
            passes = "O3" if rng.random() < 0.2 else "instcombine"
            out = run_opt(module(src), passes, opt)
            fn_text, extra = split_opt_output(out, "src")
            unchanged = body_lines(fn_text) == body_lines(src.text())
            if unchanged and rng.random() >= keep_unchanged:
                res = mutate_(src, rng)
                if res is None:
                    continue
                tgt, desc = res
                return Pair(seed, "mutation", desc, src, module(src, tgt.text("tgt")), domain)
            tgt_text = re.sub(r"@src\(", "@tgt(", fn_text, count=1)
            desc = f"opt -{passes if passes == 'O3' else 'passes=' + passes}"
            if rng.random() < 0.1:
                renamed = rename_params_text(tgt_text, [n for n, _, _ in src.params], rng)
                if renamed:
                    tgt_text, extra_desc = renamed
                    desc += "; " + extra_desc
            return Pair(seed, "unchanged" if unchanged else passes, desc, src,
                        module(src, tgt_text, extra), domain)
        res = mutate_(src, rng)
        if res is None:
            continue
        tgt, desc = res
        return Pair(seed, "mutation", desc, src, module(src, tgt.text("tgt")), domain)
    raise GeneratorError("no applicable target in 20 attempts")


def is_fp_pair(seed: int | str, index: int, kinds: tuple[str, ...] = ("int",),
               p_fp: float = 0.3) -> bool:
    """Whether pair `index` of a run over `kinds` is a floating-point one: all
    of them for kinds ("fp",), none for ("int",), else a share p_fp drawn
    from a generator of its own, so the integer pairs of a mixed run are
    those of an integer-only run with the same seed."""
    if "fp" not in kinds:
        return False
    if "int" not in kinds:
        return True
    return random.Random(pair_seed(seed, index) + ":domain").random() < p_fp


def is_mem_pair(seed: int | str, index: int, kinds: tuple[str, ...] = ("int",),
                p_mem: float = 0.4) -> bool:
    """Whether pair `index` of a run over `kinds` is a memory one: all of
    them for kinds ("mem",), none without "mem", else a share p_mem drawn
    from a generator of its own; the other pairs of the run are then
    exactly those of the run without "mem" (same seed, same p_fp)."""
    if "mem" not in kinds:
        return False
    if kinds == ("mem",):
        return True
    return random.Random(pair_seed(seed, index) + ":mem").random() < p_mem


def pair_for(seed: int | str, index: int, kinds: tuple[str, ...] = ("int",),
             p_fp: float = 0.3, p_mem: float = 0.4, **kw) -> Pair:
    """Pair number `index` of the run with `seed` (reproducible); `kinds`,
    `p_fp` and `p_mem` as in `is_fp_pair` and `is_mem_pair`."""
    s = pair_seed(seed, index)
    if is_mem_pair(seed, index, kinds, p_mem):
        from veriopt.verify.random_ir.mem_pairs import random_mem_pair
        return random_mem_pair(random.Random(s), s, **kw)
    rest = tuple(k for k in kinds if k != "mem") or ("int",)
    return random_pair(random.Random(s), s, fp=is_fp_pair(seed, index, rest, p_fp), **kw)
