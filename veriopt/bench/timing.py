"""Timing: is a proved candidate actually faster than the baseline?

Both versions are compiled the same way (clang-22 -O3, C or IR input) and
linked, renamed, into one C driver (compiled with clang-22 -O2) that calls
them alternately through volatile function pointers over the same random
inputs, run after run, in one process: alternation cancels drift
(frequency scaling, other load) that separate processes would see. The
result is the median of per-run time ratios and its interquartile range,
so one noisy run moves nothing. The driver runs in a subprocess with CPU,
memory and wall-time limits: candidate code is never run in-process.
"""
from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from veriopt.bench.lowering import CLANG
from veriopt.limits import COMPILE_SECONDS
COMPILE_FLAGS = ("-O3",)
DRIVER_FLAGS = ("-O2",)
MEMORY_LIMIT = 1 << 30


class TimingError(Exception):
    """The versions could not be compiled or run (not a verdict on them)."""


@dataclass(frozen=True)
class Timing:
    median_ratio: float        # candidate time / baseline time (below 1: candidate faster)
    spread: float              # interquartile range of the per-run ratios
    runs: int
    upper: float = 0.0         # upper quartile of the ratios

    @property
    def speedup(self) -> float:
        return 1.0 / self.median_ratio

    def faster(self, margin: float = 0.03) -> bool:
        """Faster beyond noise: the median ratio below 1 - margin and at
        least three runs in four faster (upper quartile below 1)."""
        return self.median_ratio < 1.0 - margin and self.upper < 1.0


C_TYPES = {1: "_Bool", 8: "uint8_t", 16: "uint16_t", 32: "uint32_t", 64: "uint64_t"}


def clang() -> str:
    path = shutil.which(CLANG)
    if not path:
        raise TimingError(f"{CLANG} is not installed")
    return path


def _limits(cpu_seconds: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    return apply


def _run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                             preexec_fn=_limits(int(timeout) + 1), **kw)
    except subprocess.TimeoutExpired:
        raise TimingError(f"{Path(cmd[0]).name} timed out after {timeout:.0f} s") from None
    if out.returncode != 0:
        raise TimingError(f"{Path(cmd[0]).name} failed ({out.returncode}): "
                          f"{out.stderr.strip()[:400]}")
    return out


def signature(code: str, fn: str, level: str, workdir: Path) -> tuple[int, list[int]]:
    """(return width, parameter widths) of @fn: integers only."""
    if level == "c":
        src = workdir / "sig.c"
        src.write_text(code)
        code = _run([clang(), "-O1", "-S", "-emit-llvm", "-o", "-", str(src)],
                    COMPILE_SECONDS).stdout
    m = re.search(rf"^define [^@]*?\b(i\d+|void) @{re.escape(fn)}\(([^)]*)\)", code, re.M)
    if not m:
        raise TimingError(f"no integer function @{fn} found")
    params = [p.strip() for p in m.group(2).split(",") if p.strip()]
    widths = []
    for p in params:
        w = re.match(r"i(\d+)\b", p)
        if not w or int(w.group(1)) not in C_TYPES:
            raise TimingError(f"@{fn}: parameter type not timed: {p}")
        widths.append(int(w.group(1)))
    if m.group(1) == "void" or int(m.group(1)[1:]) not in C_TYPES:
        raise TimingError(f"@{fn}: return type not timed: {m.group(1)}")
    return int(m.group(1)[1:]), widths


def compile_version(code: str, fn: str, level: str, alias: str, workdir: Path,
                    flags: tuple[str, ...]) -> Path:
    """An object file defining `alias` (the function renamed), built with
    clang-22 and `flags` from C or from IR."""
    obj = workdir / f"{alias}.o"
    if level == "c":
        src = workdir / f"{alias}.c"
        src.write_text(code)
        cmd = [clang(), *flags, f"-D{fn}={alias}", "-c", "-o", str(obj), str(src)]
    else:
        src = workdir / f"{alias}.ll"
        src.write_text(re.sub(rf"@{re.escape(fn)}(?![-\w$.])", f"@{alias}", code))
        cmd = [clang(), *flags, "-Wno-override-module", "-c", "-o", str(obj), str(src)]
    _run(cmd, COMPILE_SECONDS)
    objcopy = shutil.which("objcopy")
    if objcopy:   # other functions of the file must not clash between the two versions
        _run([objcopy, f"--keep-global-symbol={alias}", str(obj)], COMPILE_SECONDS)
    return obj


def driver_source(ret: int, params: list[int], inputs: int, runs: int, seed: int,
                  target_seconds: float) -> str:
    """The C driver: random inputs, both versions called alternately."""
    rt = C_TYPES[ret]
    pts = [C_TYPES[w] for w in params]
    proto = ", ".join(pts) or "void"
    arrays = "\n".join(f"static {t} a{i}[N];" for i, t in enumerate(pts))
    fill = "\n".join(f"    a{i}[k] = ({t})next();" for i, t in enumerate(pts))
    call_args = ", ".join(f"a{i}[k]" for i in range(len(pts)))
    return f"""#include <stdint.h>
#include <stdio.h>
#include <time.h>
#define N {inputs}
typedef {rt} (*fn_t)({proto});
{rt} vo_base({proto});
{rt} vo_cand({proto});
static fn_t volatile p_base = vo_base, p_cand = vo_cand;
{arrays}
static uint64_t state = {seed}u * 2654435761u + 88172645463325252u;
static uint64_t next(void) {{
  state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state;
}}
static double now(void) {{
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9;
}}
static volatile uint64_t sink;
static double timed(fn_t f, long reps) {{
  uint64_t acc = 0; double t0 = now();
  for (long r = 0; r < reps; r++)
    for (int k = 0; k < N; k++) acc += (uint64_t)f({call_args});
  double t = now() - t0; sink = acc; return t;
}}
int main(void) {{
  for (int k = 0; k < N; k++) {{
{fill}
  }}
  timed(p_base, 1); timed(p_cand, 1);
  double one = timed(p_base, 1);
  long reps = one > 0 ? (long)({target_seconds} / one) : 1000;
  if (reps < 1) reps = 1;
  for (int run = 0; run < {runs}; run++) {{
    double tb, tc;
    if (run % 2) {{ tc = timed(p_cand, reps); tb = timed(p_base, reps); }}
    else {{ tb = timed(p_base, reps); tc = timed(p_cand, reps); }}
    printf("%.9f %.9f\\n", tb, tc);
  }}
  return 0;
}}
"""


def measure(baseline: str, candidate: str, fn: str, level: str, runs: int = 15,
            inputs: int = 4096, seed: int = 1, run_seconds: float = 0.02,
            flags: tuple[str, ...] = COMPILE_FLAGS, timeout: float = COMPILE_SECONDS
            ) -> Timing:
    """Time `candidate` against `baseline` (both C or both IR texts defining
    @fn); see the module docstring for the method. `timeout` bounds each
    compile and the driver's run (a few seconds of timed calls at most)."""
    if level not in ("c", "ir"):
        raise ValueError(f"level must be 'c' or 'ir', not {level!r}")
    with tempfile.TemporaryDirectory(prefix="veriopt-time-") as tmp:
        work = Path(tmp)
        ret, params = signature(baseline, fn, level, work)
        base = compile_version(baseline, fn, level, "vo_base", work, flags)
        cand = compile_version(candidate, fn, level, "vo_cand", work, flags)
        driver = work / "driver.c"
        driver.write_text(driver_source(ret, params, inputs, runs, seed, run_seconds))
        exe = work / "bench"
        _run([clang(), *DRIVER_FLAGS, "-o", str(exe), str(driver), str(base), str(cand)], timeout)
        out = _run([str(exe)], timeout, cwd=tmp).stdout
    ratios = []
    for line in out.splitlines():
        tb, tc = (float(x) for x in line.split())
        if tb > 0:
            ratios.append(tc / tb)
    if not ratios:
        raise TimingError("the driver produced no timings")
    if len(ratios) >= 4:
        q1, _, q3 = statistics.quantiles(ratios, n=4)
    else:
        q1, q3 = min(ratios), max(ratios)
    return Timing(statistics.median(ratios), q3 - q1, len(ratios), q3)
