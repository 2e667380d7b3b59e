"""Many pairs in parallel, each in a forked child with a wall-clock limit,
so that a hang or a crash of either checker costs one pair, never the run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from veriopt.verify.differential.outcome import PAIR_QUERY_SECONDS, Outcome, Side, categorize
from veriopt.verify.differential.running import compare_text


@dataclass
class RunConfig:
    """One run: its seed (pair i of a seed is always the same pair) and limits."""
    seed: int | str
    timeout: float = PAIR_QUERY_SECONDS   # seconds per solver query, both checkers
    wall: float = 0.0                     # per pair; 0: derived from timeout
    diagnose: bool = True
    p_opt: float = 0.3
    kinds: tuple[str, ...] = ("int",)     # "int", "fp": the kinds of pairs
    p_fp: float = 0.3                     # share of FP pairs when kinds hold both
    p_mem: float = 0.4                    # share of memory pairs when kinds hold "mem" and more

    def replay_flags(self) -> str:
        """What `scripts/differential.py` needs besides --seed to make the same pairs."""
        if self.kinds == ("int",):
            return ""
        flags = f" --kinds {','.join(self.kinds)}"
        flags += f" --fp {self.p_fp:g}" if {"int", "fp"} <= set(self.kinds) else ""
        return flags + (f" --mem {self.p_mem:g}" if "mem" in self.kinds and len(self.kinds) > 1
                        else "")

    @property
    def pair_wall(self) -> float:
        return self.wall or max(20.0, 4 * self.timeout + 10)


def _child(conn, index: int, cfg: RunConfig, exe: str) -> None:
    import signal
    from veriopt.verify import random_ir as R
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    try:
        try:
            pair = R.pair_for(cfg.seed, index, kinds=cfg.kinds, p_fp=cfg.p_fp,
                              p_mem=cfg.p_mem, p_opt=cfg.p_opt)
        except Exception as exc:   # noqa: BLE001 - reported as an invalid pair
            conn.send(("problem", f"generation failed: {type(exc).__name__}: {exc}"))
            return
        desc = pair.description if pair.domain == "int" else f"[{pair.domain}] {pair.description}"
        conn.send(("pair", pair.kind, desc, pair.text))
        compare_text(pair.text, exe, cfg.timeout, cfg.diagnose, send=conn.send)
        conn.send(("done",))
    finally:
        conn.close()


def _apply(out: Outcome, msg) -> bool:
    """Fold one message from a child into the outcome; True when it is the last."""
    tag = msg[0]
    if tag == "pair":
        _, out.kind, out.description, out.text = msg
    elif tag == "alive":
        out.alive = msg[1]
    elif tag == "veriopt":
        out.veriopt = msg[1]
    elif tag == "variant":
        out.variants[msg[1]] = msg[2]
    elif tag == "problem":
        out.problem = msg[1]
        return True
    return tag == "done"


def run_pairs(indices, cfg: RunConfig, exe: str, jobs: int = 2,
              on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Pairs `indices` of the run seeded `cfg.seed`, `jobs` at a time, each in
    a forked child with a wall-clock limit of `cfg.pair_wall` seconds."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    # import the heavy modules once, before forking
    import veriopt.verify.api  # noqa: F401
    import veriopt.verify.random_ir  # noqa: F401
    from veriopt.ir.loader import _llvm
    _llvm()
    _warm_up()

    ctx = mp.get_context("fork")
    pending = list(indices)[::-1]
    running: dict = {}     # connection -> (process, outcome, start)
    results: list[Outcome] = []

    def finish(conn, problem: str | None = None) -> None:
        proc, out, start = running.pop(conn)
        if problem:
            if proc.is_alive():
                proc.kill()
            out.problem = problem
        proc.join(5)
        conn.close()
        out.seconds = time.perf_counter() - start
        if out.alive is not None and out.veriopt is None:
            cut = problem or _death(proc)
            out.veriopt = Side("timeout" if problem else "crashed", reason=cut,
                               seconds=out.seconds)
        elif out.alive is None and out.text:
            # the pair was made, alive-tv never answered: the referee is undecided
            # (alive-tv hangs past its own timeout on some FP queries), not the generator
            cut = problem or _death(proc)
            out.alive = Side("timeout" if problem else "crashed", reason=f"alive-tv: {cut}",
                             seconds=out.seconds)
        elif out.alive is None and out.problem is None:
            out.problem = problem or _death(proc)
        categorize(out)
        results.append(out)
        if on_outcome:
            on_outcome(out)

    try:
        while pending or running:
            while pending and len(running) < jobs:
                index = pending.pop()
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(send, index, cfg, exe), daemon=True)
                proc.start()
                send.close()
                running[receive] = (proc, Outcome(index=index, seed=str(cfg.seed)),
                                    time.perf_counter())
            for conn in wait(list(running), timeout=0.25):
                try:
                    while True:
                        if _apply(running[conn][1], conn.recv()):
                            finish(conn)
                            break
                        if not conn.poll():
                            break
                except (EOFError, OSError):
                    finish(conn)
            now = time.perf_counter()
            for conn, (proc, out, start) in list(running.items()):
                if now - start > cfg.pair_wall:
                    finish(conn, f"wall-clock limit of {cfg.pair_wall:.0f}s per pair")
    finally:
        for conn, (proc, _, _) in list(running.items()):
            proc.kill()
            proc.join(5)
            conn.close()
    results.sort(key=lambda o: o.index)
    return results


# the modules the verifier imports on first use (memory, calls, FP builders,
# aggregates, intrinsics, counterexamples, cegis)
_LAZY = ("veriopt.translation.ir_smt.memory.hooks", "veriopt.translation.ir_smt.calls.encode",
         "veriopt.translation.ir_smt.fp_ops", "veriopt.translation.ir_smt.fp_intrinsics",
         "veriopt.translation.ir_smt.fp_constrained", "veriopt.translation.ir_smt.aggregate_ops",
         "veriopt.translation.ir_smt.intrinsics", "veriopt.translation.ir_smt.x86_intrinsics",
         "veriopt.translation.ir_smt.assume_bundles", "veriopt.verify.memory_query",
         "veriopt.verify.cegis", "veriopt.verify.counterexample")


def _warm_up() -> None:
    """Load every lazily imported verifier module in the parent, before
    forking: the children then share one snapshot of the code. Without it a
    child imports modules lazily from the working tree, which may have been
    edited since the parent started, and mixes two versions (ImportError on
    every pair from then on)."""
    import importlib
    for module in _LAZY:
        importlib.import_module(module)


def _death(proc) -> str:
    code = proc.exitcode
    if code is None:
        return "no answer"
    if code < 0:
        return f"checker process died with signal {-code}"
    return f"checker process exited with status {code} before answering"
