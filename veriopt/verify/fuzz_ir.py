"""Differential fuzzing of an IR pair with a poison-aware interpreter.

LLVM's JIT cannot see poison, so the runs use our own semantics evaluated
on concrete inputs (`ConcreteRunner`): the same terms the verifier proves
with, so a difference found here is a difference the proof would find.
Inputs are edge-biased integers, now and then a poison lane. Inputs on
which the source has UB, or makes a non-deterministic choice, are
discarded. Fuzzing is a gate and a counterexample finder, never a proof:
without a difference its verdict is `no counterexample in N runs`.

Entry points: `fuzz_file` (`veriopt fuzz pair.ll`), `fuzz_pair` (two
parsed functions, explicit numbers) and `fuzz_texts` (two IR modules
within a run's `Limits`, for the optimizer's gate).
"""
from __future__ import annotations

import random
import time

from veriopt.errors import BadInput, Unsupported
from veriopt.limits import FUZZ_EXAMPLES, Limits
from veriopt.ir.model import Function
from veriopt.ir.types import IntType
from veriopt.translation.ir_smt.evaluate import POISON, ConcreteRunner, Outcome
from veriopt.verify import verdict as V
from veriopt.verify.counterexample import format_int
from veriopt.verify.fuzz_stats import FuzzStats


def edge_values(width: int) -> list[int]:
    top = (1 << width) - 1
    sign = 1 << (width - 1) if width > 1 else 1
    return sorted({0, 1, 2, 3, top, top - 1, sign, sign - 1, sign + 1, width, width - 1})


def random_inputs(widths: list[int], rng: random.Random, poison_rate: float) -> list[int | None]:
    out: list[int | None] = []
    for w in widths:
        roll = rng.random()
        if roll < poison_rate:
            out.append(POISON)
        elif roll < 0.5:
            out.append(rng.choice(edge_values(w)) & ((1 << w) - 1))
        elif roll < 0.7:
            out.append(rng.randrange(0, min(1 << w, 64)))
        else:
            out.append(rng.getrandbits(w))
    return out


def fuzz_pair(src: Function, tgt: Function, examples: int = FUZZ_EXAMPLES, seed: int = 0,
              time_budget: float | None = None, poison_rate: float = 0.05,
              little_endian: bool = True, stats: FuzzStats | None = None) -> V.Verdict:
    """Run both functions on up to `examples` inputs (at most `time_budget`
    seconds): INCORRECT at the first difference, re-run on the interpreter;
    else UNKNOWN `no counterexample in N runs`, or UNSUPPORTED. `stats`,
    when given, is added the counts of compared and skipped inputs."""
    start = time.perf_counter()
    try:
        src_run, tgt_run = ConcreteRunner(src, little_endian), ConcreteRunner(tgt, little_endian)
    except Unsupported as exc:
        return V.Verdict.unsupported(exc.feature)
    rng = random.Random(seed)
    widths = src_run.widths()
    runs = skipped = 0
    for _ in range(examples):
        if time_budget is not None and time.perf_counter() - start > time_budget:
            break
        args = random_inputs(widths, rng, poison_rate)
        a = src_run.run(args)
        if a.ub or not a.returns or not a.deterministic:
            skipped += 1
            continue   # the source allows anything here, or chose something
        runs += 1
        b = tgt_run.run(args)
        kind = _difference(a, b)
        if kind:
            if stats is not None:
                stats.add(FuzzStats(runs, skipped))
            verdict = V.Verdict(V.Status.INCORRECT, error=kind,
                                counterexample=_example(src, src_run, args, a, b))
            verdict.seconds = time.perf_counter() - start
            verdict.name = f"@{src.name} -> @{tgt.name}"
            return verdict
    if stats is not None:
        stats.add(FuzzStats(runs, skipped))
    verdict = V.Verdict.unknown(f"no counterexample in {runs} runs")
    verdict.seconds = time.perf_counter() - start
    verdict.name = f"@{src.name} -> @{tgt.name}"
    return verdict


def _difference(a: Outcome, b: Outcome) -> str | None:
    if b.ub:
        return V.ERR_UB
    if not b.returns:
        return V.ERR_RETURN_DOMAIN
    for x, y in zip(a.value, b.value):
        if x is not POISON and y is POISON:
            return V.ERR_POISON
    for x, y in zip(a.value, b.value):
        if x is not POISON and x != y:
            return V.ERR_VALUE
    return None


def _example(src: Function, runner: ConcreteRunner, args, a: Outcome, b: Outcome) -> V.Counterexample:
    def show(values, ty) -> str:
        width = ty.scalar().width if isinstance(ty.scalar(), IntType) else 0
        parts = ["poison" if v is POISON else format_int(v, width) for v in values]
        return parts[0] if len(parts) == 1 else "< " + ", ".join(parts) + " >"
    inputs = []
    for iv, value in zip(runner.inputs.vars, args):
        inputs.append((iv.name, "poison" if value is POISON else format_int(value, iv.value.size())))
    cex = V.Counterexample(inputs=inputs, replayed=["interpreter: both sides re-run on these inputs"])
    if a.value:
        cex.source_value = show(a.value, src.ret_type)
        cex.target_value = "UB" if b.ub else show(b.value, src.ret_type)
    return cex


def fuzz_file(path: str, examples: int = FUZZ_EXAMPLES, time_budget: float | None = None,
              seed: int = 0, stats: FuzzStats | None = None) -> V.Verdict:
    """`veriopt fuzz pair.ll`: every @src/@tgt pair of the file; the worst
    verdict wins. `stats` gets the counts summed over the pairs."""
    from veriopt.ir.loader import load_file
    from veriopt.verify.api import pair_functions
    try:
        module = load_file(path)
    except Unsupported as exc:
        return V.Verdict.unsupported(exc.feature)
    verdicts = [fuzz_pair(s, t, examples, seed, time_budget, little_endian=module.little_endian,
                          stats=stats)
                for s, t in pair_functions(module, None)]
    return V.combine(verdicts)


def fuzz_texts(source: str, target: str, function: str, limits: Limits | None = None, *,
               examples: int | None = None, seconds: float | None = None,
               seed: int = 0) -> V.Verdict:
    """`fuzz_pair` on @`function` of two IR module texts, for `examples`
    inputs or `seconds` (default: the limits' fuzz_examples and
    fuzz_seconds). Text the interpreter cannot run, or a module without
    @`function`, is UNSUPPORTED: fuzzing then says nothing."""
    from veriopt.ir.loader import load_text
    limits = limits or Limits()
    try:
        src_mod = load_text(source)
        tgt_mod = load_text(target)
        src, tgt = src_mod.functions[function], tgt_mod.functions[function]
    except (Unsupported, BadInput) as exc:
        return V.Verdict.unsupported(str(exc))
    except KeyError:
        return V.Verdict.unsupported(f"no @{function} in both modules")
    return fuzz_pair(src, tgt, examples or limits.fuzz_examples, seed,
                     seconds if seconds is not None else limits.fuzz_seconds,
                     little_endian=src_mod.little_endian)
