"""The C test harness one compiled function is linked into: the encoding
of a concrete input (`Case`) on one line of stdin, and the main() that
decodes it, calls the function and prints the outcome.

Buffers are placed so that they end at a PROT_NONE guard page: reading
past the end of a buffer faults instead of silently reading a neighbour.
One process runs a whole batch of inputs (one per line, one result line
per input, flushed), so a crash or hang names the input that caused it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from veriopt.translation.c_types import CType, IntT, PtrT
from veriopt.verify.concrete.sandbox import SECCOMP_C

ENTRY = "veriopt_entry"


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
{SECCOMP_C}
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
  {{ const char *unconfined = veriopt_sandbox(); if (unconfined) printf("S %s\\n", unconfined); }}
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
