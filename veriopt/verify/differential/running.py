"""Running both checkers on one pair: alive-tv in a child process, veriopt
in this one, then the re-runs without undef (and poison) inputs that say
which input class a disagreement needs.
"""
from __future__ import annotations

import os
import shutil
import time
import traceback
from pathlib import Path
from typing import Callable

from veriopt.verify import alive_tv as A
from veriopt.verify.differential.outcome import (
    FALSE_ALARM, PAIR_QUERY_SECONDS, UNSOUND, VARIANTS, Outcome, Side, categorize, classify,
)


def repo_root() -> Path:
    """The checkout this package lives in (alive-tv is looked for beside it)."""
    return Path(__file__).resolve().parents[3]


def locate_alive_tv() -> tuple[str | None, str]:
    """(executable, "") or (None, why not): $VERIOPT_ALIVE_TV, else
    <repo>/../shared/tools/alive2/run-alive-tv, else `alive-tv` on PATH."""
    env = os.environ.get(A.ENV_VAR)
    if env:
        candidates = [env]
    else:
        candidates = []
        for root in (repo_root(), Path.cwd()):
            p = root.parent / "shared" / "tools" / "alive2" / "run-alive-tv"
            if p.exists() and str(p) not in candidates:
                candidates.append(str(p))
        on_path = shutil.which("alive-tv")
        if on_path:
            candidates.append(on_path)
    if not candidates:
        return None, ("alive-tv not found (set $VERIOPT_ALIVE_TV, or install Alive2's "
                      "alive-tv on PATH)")
    first_problem = ""
    for exe in candidates:
        problem = A.start_problem(exe)
        if not problem:
            return exe, ""
        first_problem = first_problem or problem
    return None, first_problem


def run_alive(text: str, exe: str, timeout: float, flags: tuple[str, ...] = (),
              wall: float | None = None) -> Side:
    start = time.perf_counter()
    r = A.check_text(text, exe, smt_timeout_ms=int(timeout * 1000), flags=flags,
                     wall_seconds=wall or max(30.0, 6 * timeout))
    status = r.status
    if status == A.UNKNOWN and r.error == "wall-clock limit":
        status = "timeout"
    return Side(status, r.error if r.status == A.INCORRECT else None,
                None if r.status == A.INCORRECT else r.error,
                time.perf_counter() - start, r.output)


def run_veriopt(text: str, timeout: float, **options) -> Side:
    """veriopt's verdict on the module's @src/@tgt, in this process."""
    from veriopt.ir.loader import load_text
    from veriopt.verify.api import verify_modules
    from veriopt.verify.refinement import VerifyOptions
    from veriopt.errors import BadInput, Unsupported
    start = time.perf_counter()
    try:
        mod = load_text(text, "<pair>")
        verdicts = verify_modules(mod, options=VerifyOptions(timeout=timeout, **options))
    except Unsupported as exc:
        return Side("unsupported", reason=exc.feature, seconds=time.perf_counter() - start)
    except BadInput as exc:
        return Side("invalid", reason=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:   # a defect of veriopt: visible, never a verdict
        last = traceback.format_exc().strip().splitlines()
        return Side("crashed", reason=f"{type(exc).__name__}: {exc}"[:300],
                    seconds=time.perf_counter() - start, output="\n".join(last[-12:]))
    v = verdicts[0]
    reason = v.reason
    if v.status.value == "bounded":
        reason = f"bounded to {v.bound} iterations"
    return Side(v.status.value, v.error if v.status.value == "incorrect" else None, reason,
                time.perf_counter() - start, v.render())


def compare_text(text: str, exe: str, timeout: float = PAIR_QUERY_SECONDS,
                 diagnose: bool = True, outcome: Outcome | None = None,
                 send: Callable | None = None, always_veriopt: bool = False) -> Outcome:
    """Both checkers on one module; fills (and returns) `outcome`. `send`
    receives partial results as they come (the parallel runner's pipe).
    veriopt is not run where alive-tv is undecided, unless `always_veriopt`."""
    out = outcome or Outcome(index=0, seed="")
    out.text = text
    out.alive = run_alive(text, exe, timeout)
    if send:
        send(("alive", out.alive))
    if out.alive.decided or always_veriopt:
        out.veriopt = run_veriopt(text, timeout)
    else:   # nothing to compare with: spare the time
        out.veriopt = Side("skipped", reason="alive-tv undecided")
    if send:
        send(("veriopt", out.veriopt))
    categorize(out)
    if diagnose and out.category in (UNSOUND, FALSE_ALARM):
        for name, flags, opts in VARIANTS:
            a = run_alive(text, exe, timeout, flags)
            v = run_veriopt(text, timeout, **opts)
            out.variants[name] = {"alive-tv": a.short(), "veriopt": v.short(),
                                  "category": classify(v.status, a.status)}
            if send:
                send(("variant", name, out.variants[name]))
            if out.variants[name]["category"] not in (UNSOUND, FALSE_ALARM):
                break   # the smallest input class that still disagrees is known
    return out


def compare_pair(pair, exe: str, timeout: float = PAIR_QUERY_SECONDS,
                 diagnose: bool = True) -> Outcome:
    """`compare_text` on a `random_ir.Pair`."""
    seed, _, index = pair.seed.rpartition(":")
    out = Outcome(index=int(index) if index.isdigit() else 0, seed=seed, kind=pair.kind,
                  description=pair.description)
    return compare_text(pair.text, exe, timeout, diagnose, out)
