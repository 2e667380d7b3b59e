"""Compile one C function into a test harness and run it on concrete inputs.

Used to replay counterexamples and to fuzz. Candidate code only ever runs
here, in a child process with CPU, memory, file-size and wall-clock limits.
Each function is compiled on its own (`-O0`, UBSan that aborts on the first
report), its entry renamed and every other symbol made local with objcopy,
so two files defining the same names can be linked side by side. Buffers
are placed so that they end at a PROT_NONE guard page: reading past the end
of a buffer faults instead of silently reading a neighbour.

One child runs a whole batch of inputs (one per line on stdin, one result
line per input, flushed), so a crash or hang names the input that caused it
and the batch resumes after it.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from veriopt.errors import BadInput
from veriopt.translation.c_types import CType, IntT, PtrT

ENTRY = "veriopt_entry"
MEMORY_LIMIT = 1 << 30


@dataclass
class Case:
    """One concrete input: integer arguments and the memory behind pointers."""

    ints: dict[str, int] = field(default_factory=dict)
    groups: list[bytes] = field(default_factory=list)
    pointers: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (group, offset)
    counts: dict[str, int] = field(default_factory=dict)  # name -> elements it points to

    def encode(self, params: list[tuple[str, CType]]) -> str:
        words = []
        for name, t in params:
            if isinstance(t, IntT):
                words.append(format(self.ints[name] & ((1 << t.bits) - 1), "x"))
        words.append(format(len(self.groups), "x"))
        for g in self.groups:
            words.append(format(len(g), "x"))
            words += [format(b, "x") for b in g]
        for name, t in params:
            if isinstance(t, PtrT):
                group, offset = self.pointers[name]
                words += [format(group, "x"), format(offset, "x")]
        return " ".join(words)


@dataclass
class Result:
    """What one run produced: `ok` with a value and memory, or why not."""

    status: str                     # ok | ub | crash | timeout
    ret: int | None = None          # raw bits of the return value
    memory: list[bytes] | None = None
    message: str = ""


def compiler() -> str:
    for tool in ("gcc", "clang-22", "clang", "cc"):
        exe = shutil.which(tool)
        if exe:
            return exe
    raise BadInput("no C compiler found (need gcc or clang)")


def limit_child(cpu_seconds: int, memory: int = MEMORY_LIMIT):
    """preexec_fn applying the resource limits every candidate runs under."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()
    return apply


def _c_type(t: CType) -> str:
    if isinstance(t, PtrT):
        return f"{_c_type(t.elem)} *"
    return t.name


def harness_source(params: list[tuple[str, CType]], ret_t: CType) -> str:
    """The main() that decodes inputs, calls the entry and prints the outcome.

    Faults, UBSan traps and the per-input alarm are caught with
    sigsetjmp/siglongjmp and printed as `X <signal>`, so one bad input does
    not cost a process restart.
    """
    proto = ", ".join(_c_type(t) for _, t in params) or "void"
    ret = _c_type(ret_t)
    call_args = [f"a{i}" for i in range(len(params))]
    int_decode = []
    ptr_decls = []
    ptr_decode = []
    for i, (name, t) in enumerate(params):
        if isinstance(t, IntT):
            int_decode.append(f"    {_c_type(t)} a{i} = ({_c_type(t)})next(&p);")
        else:
            ptr_decls.append(f"    {_c_type(t)} a{i};")
            ptr_decode.append(f"    {{ unsigned long long g = next(&p), off = next(&p);"
                              f" a{i} = ({_c_type(t)})(base[g] + off); }}")
    call = f"{ENTRY}({', '.join(call_args)})"
    if ret == "void":
        invoke = f"      {call};\n      printf(\"R -\");"
    else:
        invoke = (f"      {ret} r = {call};\n"
                  f"      printf(\"R %llx\", (unsigned long long)r);")
    nl = chr(10)
    return f"""
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
{ret} {ENTRY}({proto});
static unsigned long long next(char **p) {{ return strtoull(*p, p, 16); }}
static sigjmp_buf jump;
static void on_signal(int sig) {{ siglongjmp(jump, sig); }}
#define MAXG 16
int main(int argc, char **argv) {{
  char *line = NULL; size_t cap = 0; long ps = sysconf(_SC_PAGESIZE);
  long ms = argc > 1 ? atol(argv[1]) : 1000;
  int stop_at_timeout = argc > 2 && argv[2][0] == '1';
  static char altstack[1 << 16];
  stack_t ss = {{ .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 }};
  sigaltstack(&ss, NULL);
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; sa.sa_flags = SA_ONSTACK | SA_NODEFER;
  int sigs[] = {{ SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGALRM }};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (getline(&line, &cap, stdin) > 0) {{
    char *p = line;
    unsigned char *base[MAXG]; unsigned char *map[MAXG];
    unsigned long long size[MAXG], span[MAXG];
{nl.join(int_decode)}
    unsigned long long ng = next(&p);
    if (ng > MAXG) return 99;
    for (unsigned long long g = 0; g < ng; g++) {{
      size[g] = next(&p);
      span[g] = ((size[g] + ps - 1) / ps) * ps + ps;
      map[g] = mmap(NULL, span[g], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (map[g] == MAP_FAILED) return 98;
      mprotect(map[g] + span[g] - ps, ps, PROT_NONE);
      base[g] = map[g] + span[g] - ps - size[g];
      for (unsigned long long b = 0; b < size[g]; b++) base[g][b] = (unsigned char)next(&p);
    }}
{nl.join(ptr_decls)}
{nl.join(ptr_decode)}
    struct itimerval on = {{ {{0, 0}}, {{ ms / 1000, (ms % 1000) * 1000 }} }}, off;
    memset(&off, 0, sizeof off);
    int sig = sigsetjmp(jump, 1);
    if (sig == 0) {{
      setitimer(ITIMER_REAL, &on, NULL);
{invoke}
      setitimer(ITIMER_REAL, &off, NULL);
      for (unsigned long long g = 0; g < ng; g++) {{
        printf(" M");
        for (unsigned long long b = 0; b < size[g]; b++) printf(" %x", base[g][b]);
      }}
    }} else {{
      setitimer(ITIMER_REAL, &off, NULL);
      printf("X %d", sig);
    }}
    for (unsigned long long g = 0; g < ng; g++) munmap(map[g], span[g]);
    printf("\\n");
    fflush(stdout);
    if (sig == SIGALRM && stop_at_timeout) return 0;
  }}
  return 0;
}}
"""


def sanitizer_flags(cc: str, trap: bool) -> list[str]:
    """UBSan that aborts with a message (replay) or traps in place (fuzzing)."""
    if not trap:
        return ["-fsanitize=undefined", "-fno-sanitize-recover=all"]
    if "clang" in Path(cc).name:
        return ["-fsanitize=undefined", "-fsanitize-trap=undefined"]
    return ["-fsanitize=undefined", "-fsanitize-undefined-trap-on-error"]


class Binary:
    """One function compiled into a harness executable.

    `trap=True` makes every UBSan check a trap the harness catches, so a
    batch goes on after an input with UB (for fuzzing); `trap=False` gives
    UBSan's own message and ends the process (for replaying one input).
    """

    def __init__(self, path: str, function: str, params: list[tuple[str, CType]],
                 ret_t: CType, workdir: Path, tag: str, trap: bool = False):
        self.path = path
        self.function = function
        self.params = params
        self.ret_t = ret_t
        cc = compiler()
        self.trap = trap
        self.exe = workdir / f"{tag}.bin"
        self.obj = workdir / f"{tag}.o"
        self.link = [] if trap else sanitizer_flags(cc, False)
        self.flags = ["-O0", "-std=gnu11", "-w", "-fno-strict-aliasing"] + sanitizer_flags(cc, trap)
        self.description = f"{Path(cc).name} {' '.join(self.flags)}"
        self._build(cc, workdir, tag)

    def _run_tool(self, cmd: list[str], what: str) -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["failed"])[0]
            raise BadInput(f"{what} failed: {first}", self.path)

    def _build(self, cc: str, workdir: Path, tag: str) -> None:
        raw = workdir / f"{tag}.raw.o"
        self._run_tool([cc, "-c", *self.flags, str(Path(self.path).resolve()), "-o", str(raw)],
                       "compiling")
        self._run_tool(["objcopy", f"--redefine-sym={self.function}={ENTRY}",
                        f"--keep-global-symbol={ENTRY}", str(raw), str(self.obj)], "objcopy")
        main = workdir / f"{tag}.main.c"
        main.write_text(harness_source(self.params, self.ret_t))
        self._run_tool([cc, "-O1", "-w", *self.link, str(main), str(self.obj), "-o",
                        str(self.exe)], "linking the harness")

    def run(self, cases: list[Case], per_case: float = 1.0, timeout: float | None = None,
            stop_at_timeout: bool = False) -> list[Result]:
        """Run all cases, resuming after any case that ended the process.

        With `stop_at_timeout` the results end at the first case that ran
        out of time (the fuzzer needs no more once the target hangs).
        """
        results: list[Result] = []
        lines = [c.encode(self.params) for c in cases]
        limit = timeout if timeout is not None else per_case * len(cases) + 5.0
        while len(results) < len(cases):
            results += self._batch(lines[len(results):], per_case, limit, stop_at_timeout)
            if stop_at_timeout and results and results[-1].status == "timeout":
                break
        return results

    def _batch(self, lines: list[str], per_case: float, limit: float,
               stop_at_timeout: bool = False) -> list[Result]:
        cpu = max(1, int(limit) + 1)
        ms = max(1, int(per_case * 1000))
        try:
            argv = [str(self.exe), str(ms), "1" if stop_at_timeout else "0"]
            proc = subprocess.run(argv, input="\n".join(lines) + "\n",
                                  capture_output=True, text=True, timeout=limit,
                                  preexec_fn=limit_child(cpu),
                                  env={"UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1",
                                       "PATH": "/usr/bin:/bin"})
            out, err, code, timed_out = proc.stdout, proc.stderr, proc.returncode, False
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            err, code, timed_out = "", None, True
        results = [self._parse(line, per_case) for line in out.splitlines()
                   if line.startswith(("R ", "X "))]
        if len(results) >= len(lines):
            return results[:len(lines)]
        if stop_at_timeout and results and results[-1].status == "timeout":
            return results
        if timed_out or code in (-9, -24):
            results.append(Result("timeout", message="the process ran out of time"))
        elif "runtime error" in err:
            msg = err[err.index("runtime error"):].splitlines()[0]
            results.append(Result("ub", message=msg))
        else:
            why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
            results.append(Result("crash", message=why))
        return results

    def _parse(self, line: str, per_case: float) -> Result:
        if line.startswith("X "):
            sig = int(line.split()[1])
            return _signal_result(sig, per_case)
        head, *groups = line.split(" M")
        value = head.split()[1]
        ret = None if value == "-" else int(value, 16)
        memory = [bytes(int(b, 16) for b in g.split()) for g in groups]
        return Result("ok", ret, memory)


def _signal_result(sig: int, per_case: float) -> Result:
    if sig == signal.SIGALRM:
        return Result("timeout", message=f"no result within {per_case:g} s")
    if sig in (signal.SIGILL, signal.SIGTRAP):
        return Result("ub", message="undefined behaviour trapped by -fsanitize=undefined")
    if sig == signal.SIGFPE:
        return Result("ub", message="arithmetic exception (SIGFPE)")
    return Result("crash", message=f"memory fault ({signal.Signals(sig).name})")


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="veriopt-c-")
