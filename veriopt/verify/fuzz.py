"""Differential fuzzing: run the source and the target on the same inputs.

Fuzzing is evidence, never a proof: when no difference shows up the verdict
is UNKNOWN with the reason `no counterexample in N runs`; a difference is
INCORRECT with the concrete input. Inputs come from hypothesis (integers
biased to the edges of their type, buffers of the lengths the signature
allows, buffers that alias and buffers that do not) and run in batches in
compiled harnesses (see `concrete`), each under CPU, memory and time limits.
Inputs on which the source has UB are skipped, since it promises nothing
there: where its UBSan build traps, faults or does not finish, and where
its outcome depends on uninitialised memory, which UBSan does not see. The
source is built twice for that, with uninitialised locals and malloc'ed
blocks filled with 0xfe and with zeros (`concrete.compiled.INIT`); an input
on which the two builds disagree reads memory nobody wrote. (The target is
run with the 0xfe build: where it reads such memory and the source does
not, the difference shows.) `FuzzStats` counts the skipped inputs.

Entry points: `fuzz_files` (`veriopt fuzz a.c b.c`), `fuzz_sources` (two C
texts within a run's `Limits`, for the optimizer's gate) and
`check_inputs` (given inputs only, such as suggested edge cases).
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from veriopt.errors import BadInput, Unsupported
from veriopt.limits import FUZZ_EXAMPLES, Limits
from veriopt.translation import c_smt
from veriopt.translation.c_frontend import CProgram, external_calls, load
from veriopt.translation.c_types import CType, IntT, PtrT
from veriopt.verify.c_pair import Pair, common_signature, format_int
from veriopt.verify.concrete import Binary, Case, Result, describe, workdir
from veriopt.verify.concrete.compiled import compiler, supports_auto_init
from veriopt.verify.concrete.sandbox import refuse_process_calls
from veriopt.verify.fuzz_stats import FuzzStats
from veriopt.verify.verdict import (ERR_MEMORY, ERR_UB, ERR_VALUE, Counterexample,
                                    Status, Verdict)

MAX_ELEMS = 16
BATCH = 400
# Seconds one fuzzing input may run: short, since thousands run; a target
# that hangs where the source finishes is reported on the first such input.
PER_CASE_SECONDS = 1.0


@dataclass
class Builds:
    """The compiled functions one fuzzing run uses."""

    src: Binary                 # uninitialised memory holds 0xfe bytes
    tgt: Binary                 # likewise
    src_zero: Binary | None     # the source again, with zeros (None: the compiler cannot)


# ---------------------------------------------------------------- strategies

def edge_values(t: IntT) -> list[int]:
    """Values where C integer code tends to break: 0, ±1, the limits, powers of two."""
    vals = {0, 1, 2, 3, 7, 8, t.max(), t.max() - 1, t.min(), t.min() + 1,
            t.max() // 2, t.max() // 2 + 1, 1 << (t.bits - 2)}
    if t.signed:
        vals |= {-1, -2, -8, t.min() // 2, -(t.max() // 2)}
    for shift in (7, 8, 15, 16, 31, 32):
        if shift < t.bits:
            vals |= {(1 << shift) - 1, 1 << shift} if (1 << shift) <= t.max() else set()
    if t.is_bool:
        return [0, 1]
    return sorted(v for v in vals if t.min() <= v <= t.max())


def int_strategy(t: IntT) -> st.SearchStrategy[int]:
    if t.is_bool:
        return st.integers(0, 1)
    small = st.integers(max(t.min(), -64), min(t.max(), 64))
    return st.one_of(st.sampled_from(edge_values(t)), small, st.integers(t.min(), t.max()))


def length_strategy(t: IntT) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, MAX_ELEMS), st.sampled_from([0, 1, 2, 3, 4, 8]))


def _encode(value: int, t: IntT) -> bytes:
    return (value & ((1 << t.bits) - 1)).to_bytes(t.size, "little")


@st.composite
def cases(draw, params: list[tuple[str, CType]]) -> Case:
    """One input for a function with these parameters."""
    case = Case()
    lengths = {name: c_smt.length_param_for(name, params) for name, t in params
               if isinstance(t, PtrT)}
    length_params = {v for v in lengths.values() if v}
    for name, t in params:
        if isinstance(t, IntT):
            case.ints[name] = draw(length_strategy(t) if name in length_params else int_strategy(t))
    groups: list[list[int]] = []      # element values per group
    group_elem: list[IntT] = []
    for name, t in params:
        if not isinstance(t, PtrT):
            continue
        elem = t.elem
        length_name = lengths[name]
        if length_name:
            raw = case.ints[length_name]
            count = raw if raw > 0 else 0
        else:
            count = draw(st.integers(1, MAX_ELEMS))
        share = [g for g, e in enumerate(group_elem) if e.size == elem.size]
        if share and not t.restrict and draw(st.integers(0, 3)) == 0:
            g = draw(st.sampled_from(share))
            offset = draw(st.integers(0, len(groups[g])))
            need = offset + count - len(groups[g])
            if need > 0:
                groups[g] += [draw(int_strategy(group_elem[g])) for _ in range(need)]
            case.pointers[name] = (g, offset * elem.size)
            case.counts[name] = count
            continue
        values = draw(st.lists(int_strategy(elem), min_size=count, max_size=count))
        groups.append(values)
        group_elem.append(elem)
        case.pointers[name] = (len(groups) - 1, 0)
        case.counts[name] = count
    case.groups = [b"".join(_encode(v, e) for v in vals) for vals, e in zip(groups, group_elem)]
    return case


def generate(params: list[tuple[str, CType]], count: int, chunk_seed: int) -> list[Case]:
    """`count` inputs from hypothesis, deterministic for a given seed."""
    out: list[Case] = []

    @seed(chunk_seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(cases(params))
    def collect(case: Case) -> None:
        out.append(case)

    collect()
    return out


# ---------------------------------------------------------------- driver

def fuzz_files(pair: Pair, examples: int = FUZZ_EXAMPLES, time_budget: float | None = None,
               fuzz_seed: int = 0, limits: Limits | None = None,
               stats: FuzzStats | None = None) -> Verdict:
    """Run both functions on up to `examples` inputs, for at most
    `time_budget` seconds; stop at the first difference. `limits` gives the
    sandbox's memory and compile time (default: `veriopt.limits`); `stats`,
    when given, receives the counts of compared and skipped inputs."""
    start = time.monotonic()
    limits = limits or Limits()
    stats = stats if stats is not None else FuzzStats()
    src_prog = load(pair.src_path)
    tgt_prog = src_prog if pair.tgt_path == pair.src_path else load(pair.tgt_path)
    try:
        params, ret_t = common_signature(src_prog, tgt_prog, pair)
    except Unsupported as exc:
        return Verdict.unsupported(str(exc))
    with workdir() as tmp:
        builds = _binaries(pair, src_prog, tgt_prog, params, ret_t, Path(tmp), limits)
        stats.uninit_checked = builds.src_zero is not None
        verdict = _loop(builds, params, ret_t, examples, time_budget, fuzz_seed, start, stats)
    verdict.name = f"{pair.src_fn} -> {pair.tgt_fn}"
    verdict.seconds = time.monotonic() - start
    return verdict


def fuzz_sources(source: str, target: str, function: str, limits: Limits | None = None, *,
                 target_function: str | None = None, examples: int | None = None,
                 seconds: float | None = None, seed: int = 0) -> Verdict:
    """Fuzz two C texts: `function` of `source` against `target_function`
    (default the same name) of `target`, for `examples` inputs or `seconds`
    (default: the limits' fuzz_examples and fuzz_seconds).

    INCORRECT with the first mismatch, whose counterexample was run on both
    compiled functions (its `replayed` notes say how); otherwise UNKNOWN,
    `no counterexample in N runs` (never a proof), or UNSUPPORTED.
    BadInput when a text does not compile or the signatures differ."""
    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="veriopt-fuzz-") as tmp:
        src_path, tgt_path = Path(tmp) / "source.c", Path(tmp) / "target.c"
        src_path.write_text(source)
        tgt_path.write_text(target)
        pair = Pair(str(src_path), function, str(tgt_path), target_function or function)
        return fuzz_files(pair, examples or limits.fuzz_examples,
                          seconds if seconds is not None else limits.fuzz_seconds, seed, limits)


def check_inputs(pair: Pair, inputs: list[dict[str, int]], limits: Limits | None = None
                 ) -> Verdict | None:
    """Run given integer inputs (parameter name -> value) on both functions:
    INCORRECT at the first difference, None when none shows (or the
    function takes pointers, or no input names exactly its parameters)."""
    limits = limits or Limits()
    src_prog = load(pair.src_path)
    tgt_prog = src_prog if pair.tgt_path == pair.src_path else load(pair.tgt_path)
    params, ret_t = common_signature(src_prog, tgt_prog, pair)
    names = [n for n, _ in params]
    if not all(isinstance(t, IntT) for _, t in params):
        return None
    cases = [Case(ints={n: int(e[n]) for n in names}) for e in inputs if set(e) == set(names)]
    if not cases:
        return None
    with workdir() as tmp:
        builds = _binaries(pair, src_prog, tgt_prog, params, ret_t, Path(tmp), limits)
        verdict = _compare(builds, cases, params, ret_t, FuzzStats())
    if verdict is not None:
        verdict.name = f"{pair.src_fn} -> {pair.tgt_fn}"
    return verdict


def _binaries(pair: Pair, src_prog: CProgram, tgt_prog: CProgram, params, ret_t,
              tmp: Path, limits: Limits) -> Builds:
    """Both functions compiled for fuzzing (UBSan traps; the source twice,
    to see reads of uninitialised memory, where the compiler can); BadInput, before
    anything is compiled, when either calls a process function (system,
    fork, exec*, popen, ...) or the target calls a function the source does
    not (it could do anything)."""
    src_calls = external_calls(src_prog, pair.src_fn)
    tgt_calls = external_calls(tgt_prog, pair.tgt_fn)
    refuse_process_calls(src_calls, pair.src_fn, pair.src_path)
    refuse_process_calls(tgt_calls, pair.tgt_fn, pair.tgt_path)
    extra = tgt_calls - src_calls
    if extra:
        raise BadInput(f"'{pair.tgt_fn}' calls {', '.join(sorted(extra))}, "
                       "which the source does not", pair.tgt_path)
    sandbox = {"trap": True, "memory_mb": limits.run_memory_mb,
               "compile_seconds": limits.compile_seconds}
    if not supports_auto_init(compiler()):
        return Builds(Binary(pair.src_path, pair.src_fn, params, ret_t, tmp, "src", **sandbox),
                      Binary(pair.tgt_path, pair.tgt_fn, params, ret_t, tmp, "tgt", **sandbox),
                      None)
    return Builds(
        Binary(pair.src_path, pair.src_fn, params, ret_t, tmp, "src", init="pattern", **sandbox),
        Binary(pair.tgt_path, pair.tgt_fn, params, ret_t, tmp, "tgt", init="pattern", **sandbox),
        Binary(pair.src_path, pair.src_fn, params, ret_t, tmp, "src0", init="zero", **sandbox))


def _loop(builds: Builds, params, ret_t, examples: int, budget: float | None,
          fuzz_seed: int, start: float, stats: FuzzStats) -> Verdict:
    chunk = 0
    deadline = None if budget is None else start + budget
    while stats.runs + stats.skipped < examples:
        if deadline is not None and time.monotonic() >= deadline:
            break
        want = min(BATCH, examples - stats.runs - stats.skipped)
        batch = generate(params, want, fuzz_seed * 100003 + chunk)
        chunk += 1
        if not batch:
            break
        found = _compare(builds, batch, params, ret_t, stats, deadline)
        if found is not None:
            return found
        if len(batch) < want:
            break  # hypothesis exhausted the input space
    reason = stats.reason()
    if deadline is not None and time.monotonic() >= deadline and \
            stats.runs + stats.skipped < examples:
        reason += f" (stopped at the time budget, {budget:g} s)"
    return Verdict(Status.UNKNOWN, reason=reason, solver="fuzz")


def _compare(builds: Builds, batch: list[Case], params, ret_t,
             stats: FuzzStats, deadline: float | None = None) -> Verdict | None:
    """Run a batch on both sides (the target only where the source ran
    cleanly, the same in both of its builds); INCORRECT at the first
    difference. Cases the run's `deadline` cut off count neither way."""
    src = builds.src
    src_results = src.run(batch, PER_CASE_SECONDS, deadline=deadline)
    keep = [i for i, r in enumerate(src_results) if r.status == "ok"]
    stats.discarded += len(src_results) - len(keep)
    if builds.src_zero is not None and keep:
        zero = builds.src_zero.run([batch[i] for i in keep], PER_CASE_SECONDS, deadline=deadline)
        stable = [i for i, z in zip(keep, zero) if _same(src_results[i], z)]
        stats.uninitialised += len(zero) - len(stable)
        keep = stable       # cases past the end of `zero` were cut off by the deadline
    tgt_results = builds.tgt.run([batch[i] for i in keep], PER_CASE_SECONDS,
                                 stop_at_timeout=True, deadline=deadline)
    for i, t in zip(keep, tgt_results):
        stats.runs += 1
        kind = difference(src_results[i], t, ret_t)
        if kind is not None:
            cex = counterexample(batch[i], params, ret_t, src_results[i], t, src)
            return Verdict(Status.INCORRECT, error=kind, counterexample=cex, solver="fuzz")
    return None


def _same(a: Result, b: Result) -> bool:
    """Did two builds of the source do the same thing on one input?"""
    return (a.status, a.ret, a.memory) == (b.status, b.ret, b.memory)


def difference(src: Result, tgt: Result, ret_t: CType) -> str | None:
    """The Alive2 error kind for how the target's run differs, or None."""
    if tgt.status != "ok":
        return ERR_UB
    if isinstance(ret_t, IntT):
        mask = (1 << ret_t.bits) - 1
        if (src.ret or 0) & mask != (tgt.ret or 0) & mask:
            return ERR_VALUE
    if src.memory != tgt.memory:
        return ERR_MEMORY
    return None


def counterexample(case: Case, params, ret_t, src: Result, tgt: Result, binary: Binary
                   ) -> Counterexample:
    cex = Counterexample()
    for name, t in params:
        if isinstance(t, IntT):
            cex.inputs.append((name, format_int(case.ints[name] & ((1 << t.bits) - 1), t)))
    for name, t in params:
        if isinstance(t, PtrT):
            group, offset = case.pointers[name]
            sharing = [n for n, (g, _) in case.pointers.items() if g == group and n != name]
            end = offset + case.counts[name] * t.elem.size
            text = _elements(case.groups[group][offset:end], t.elem)
            if sharing:
                text += f" (shares memory with {', '.join(sharing)}; byte offset {offset})"
            cex.inputs.append((name, text))
            for rows, result in ((cex.source, src), (cex.target, tgt)):
                if result.memory is not None:
                    rows.append((name + " after", _elements(result.memory[group][offset:end], t.elem)))
    cex.source_value = describe(src, ret_t)
    cex.target_value = describe(tgt, ret_t)
    cex.replayed = [f"found by running both functions compiled with {binary.description}"]
    return cex


def _elements(data: bytes, elem: IntT) -> str:
    vals = []
    for i in range(0, len(data) - elem.size + 1, elem.size):
        raw = int.from_bytes(data[i:i + elem.size], "little")
        vals.append(format_int(raw, elem).split(" ")[0])
    return "{" + ", ".join(vals) + "}"


# ---------------------------------------------------------------- IR level

def fuzz_ir(path: str, examples: int = FUZZ_EXAMPLES, time_budget: float | None = None,
            fuzz_seed: int = 0, stats: FuzzStats | None = None) -> Verdict:
    """Differential fuzzing of an IR pair (`veriopt fuzz pair.ll`).

    Concrete runs cannot see poison (see DESIGN.md), so this runs the
    poison-aware interpreter of the IR semantics (`ir_smt.evaluate`) via
    `veriopt.verify.fuzz_ir`.
    """
    from veriopt.verify.fuzz_ir import fuzz_file
    return fuzz_file(path, examples, time_budget, fuzz_seed, stats)
