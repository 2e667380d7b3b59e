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
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from veriopt.translation.c_types import CType, IntT, PtrT
from veriopt.verify.verdict import BadInput

ENTRY = "veriopt_entry"
MEMORY_LIMIT = 1 << 30
UBSAN_FLAGS = ["-fsanitize=undefined", "-fno-sanitize-recover=all"]


@dataclass
class Case:
    """One concrete input: integer arguments and the memory behind pointers."""

    ints: dict[str, int] = field(default_factory=dict)
    groups: list[bytes] = field(default_factory=list)
    pointers: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (group, offset)

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
    """The main() that decodes inputs, calls the entry and prints the outcome."""
    proto = ", ".join(_c_type(t) for _, t in params) or "void"
    ret = _c_type(ret_t)
    call_args = [f"a{i}" for i in range(len(params))]
    decode = []
    for i, (name, t) in enumerate(params):
        if isinstance(t, IntT):
            decode.append(f"    {_c_type(t)} a{i} = ({_c_type(t)})next(&p);")
    decode_ptrs = []
    for i, (name, t) in enumerate(params):
        if isinstance(t, PtrT):
            decode_ptrs.append(f"    {{ unsigned long long g = next(&p), off = next(&p);"
                               f" a{i} = ({_c_type(t)})(base[g] + off); }}")
            decode.append(f"    {_c_type(t)} a{i};")
    call = f"{ENTRY}({', '.join(call_args)})"
    if ret == "void":
        invoke = f"    {call};\n    printf(\"R -\");"
    else:
        invoke = (f"    {ret} r = {call};\n"
                  f"    printf(\"R %llx\", (unsigned long long)r);")
    return f"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
{ret} {ENTRY}({proto});
static unsigned long long next(char **p) {{ return strtoull(*p, p, 16); }}
#define MAXG 16
int main(void) {{
  char *line = NULL; size_t cap = 0; long ps = sysconf(_SC_PAGESIZE);
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (getline(&line, &cap, stdin) > 0) {{
    char *p = line;
    unsigned char *base[MAXG]; unsigned char *map[MAXG];
    unsigned long long size[MAXG], span[MAXG];
{chr(10).join(d for d in decode if "next(&p)" in d)}
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
{chr(10).join(d for d in decode if "next(&p)" not in d)}
{chr(10).join(decode_ptrs)}
{invoke}
    for (unsigned long long g = 0; g < ng; g++) {{
      printf(" M");
      for (unsigned long long b = 0; b < size[g]; b++) printf(" %x", base[g][b]);
      munmap(map[g], span[g]);
    }}
    printf("\\n");
    fflush(stdout);
  }}
  return 0;
}}
"""


def undefined_symbols(obj: Path) -> set[str]:
    proc = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True, timeout=30)
    return {line.split()[-1] for line in proc.stdout.splitlines() if line.strip()}


class Binary:
    """One function compiled into a harness executable."""

    def __init__(self, path: str, function: str, params: list[tuple[str, CType]],
                 ret_t: CType, workdir: Path, tag: str, sanitize: bool = True):
        self.path = path
        self.function = function
        self.params = params
        self.ret_t = ret_t
        self.sanitize = sanitize
        self.exe = workdir / f"{tag}.bin"
        self.obj = workdir / f"{tag}.o"
        self.flags = ["-O0", "-std=gnu11", "-w", "-fno-strict-aliasing"] + (
            UBSAN_FLAGS if sanitize else [])
        self.description = f"{Path(compiler()).name} {' '.join(self.flags)}"
        self._build(workdir, tag)

    def _run_tool(self, cmd: list[str], what: str) -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["failed"])[0]
            raise BadInput(f"{what} failed: {first}", self.path)

    def _build(self, workdir: Path, tag: str) -> None:
        cc = compiler()
        raw = workdir / f"{tag}.raw.o"
        self._run_tool([cc, "-c", *self.flags, str(Path(self.path).resolve()), "-o", str(raw)],
                       "compiling")
        self._run_tool(["objcopy", f"--redefine-sym={self.function}={ENTRY}",
                        f"--keep-global-symbol={ENTRY}", str(raw), str(self.obj)], "objcopy")
        main = workdir / f"{tag}.main.c"
        main.write_text(harness_source(self.params, self.ret_t))
        link_flags = UBSAN_FLAGS if self.sanitize else []
        self._run_tool([cc, "-O1", "-w", *link_flags, str(main), str(self.obj), "-o",
                        str(self.exe)], "linking the harness")

    def run(self, cases: list[Case], timeout: float = 5.0) -> list[Result]:
        """Run all cases, resuming after any case that crashed or hung."""
        results: list[Result] = []
        lines = [c.encode(self.params) for c in cases]
        while len(results) < len(cases):
            results += self._batch(lines[len(results):], timeout)
        return results

    def _batch(self, lines: list[str], timeout: float) -> list[Result]:
        cpu = max(1, int(timeout) + 1)
        try:
            proc = subprocess.run([str(self.exe)], input="\n".join(lines) + "\n",
                                  capture_output=True, text=True, timeout=timeout,
                                  preexec_fn=limit_child(cpu),
                                  env={"UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1",
                                       "PATH": "/usr/bin:/bin"})
            out, err, code, timed_out = proc.stdout, proc.stderr, proc.returncode, False
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            err, code, timed_out = "", None, True
        results = [self._parse(line) for line in out.splitlines() if line.startswith("R ")]
        if len(results) >= len(lines):
            return results[:len(lines)]
        if timed_out or code in (-9, -24, 137, 152):
            results.append(Result("timeout", message=f"no result within {timeout:g} s"))
        elif "runtime error" in err:
            msg = err[err.index("runtime error"):].splitlines()[0]
            results.append(Result("ub", message=msg))
        else:
            why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
            results.append(Result("crash", message=why))
        return results

    def _parse(self, line: str) -> Result:
        head, *groups = line.split(" M")
        value = head.split()[1]
        ret = None if value == "-" else int(value, 16)
        memory = [bytes(int(b, 16) for b in g.split()) for g in groups]
        return Result("ok", ret, memory)


def workdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="veriopt-c-")
