"""The box candidate code runs in.

Compiled candidates (and the user's functions under `fuzz`) are code
nobody reviewed: an LLM's rewrite may call `system()` or fork a child that
outlives the run. Four layers, each enough for the common case:

1. `refuse_process_calls`: a function that calls system/fork/exec*/popen
   (or the like) is refused before it is compiled;
2. the harness installs a seccomp filter before the first input (see
   `SECCOMP_C`): fork, clone, exec, sockets, signals to other processes and
   any open for writing fail with EPERM; where the kernel refuses the
   filter, the run goes on and a warning says so;
3. the process runs with RLIMIT_NPROC 0 (no fork, for a non-root user),
   CPU, memory and file-size limits, in an empty temporary directory;
4. it leads its own session, and the whole process group is killed when
   the batch ends or times out, so nothing it started survives.
"""
from __future__ import annotations

import logging
import os
import resource
import subprocess
import tempfile
from pathlib import Path

from veriopt.errors import BadInput
from veriopt.limits import kill_group

log = logging.getLogger(__name__)

# libc functions that start, replace or signal processes, or reach outside
# the process: never run, whatever the original calls
PROCESS_CALLS = frozenset({
    "system", "fork", "vfork", "clone", "execl", "execlp", "execle", "execv", "execvp",
    "execvpe", "execve", "execveat", "fexecve", "popen", "posix_spawn", "posix_spawnp",
    "syscall", "kill", "killpg", "daemon", "ptrace", "socket", "connect",
    "dlopen", "setuid", "setgid", "chroot", "mount"})
FILE_LIMIT = 64 << 20       # the harness's output file (results of one batch)

_warned = False


def refuse_process_calls(calls: set[str], function: str, path: str) -> None:
    """BadInput when `function` calls (directly or through its file's own
    functions: `calls` from c_frontend.external_calls) a process function."""
    bad = sorted(calls & PROCESS_CALLS)
    if bad:
        raise BadInput(f"refusing to run '{function}': it calls {', '.join(bad)} "
                       "(code veriopt runs may not start processes or reach the network)", path)


def limit_child(cpu_seconds: int, memory: int):
    """preexec_fn applying the resource limits every candidate runs under
    (never above a hard limit already set, so a run under a capped veriopt
    still starts)."""
    def apply() -> None:
        for which, soft, hard in ((resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1),
                                  (resource.RLIMIT_AS, memory, memory),
                                  (resource.RLIMIT_FSIZE, FILE_LIMIT, FILE_LIMIT),
                                  (resource.RLIMIT_CORE, 0, 0), (resource.RLIMIT_NPROC, 0, 0)):
            for current in resource.getrlimit(which):
                if current != resource.RLIM_INFINITY:
                    soft, hard = min(soft, current), min(hard, current)
            resource.setrlimit(which, (soft, hard))
        os.setsid()
    return apply


def sandboxed(argv: list[str], stdin: str, seconds: float, cpu_seconds: int, memory: int,
              env: dict[str, str] | None = None) -> tuple[str, str, int | None, bool]:
    """Run a harness in the box: (stdout, stderr, return code or None,
    timed out); `env` adds to its (otherwise fixed) environment. Its whole
    process group is killed the moment the harness exits (or times out):
    output goes through files, not pipes, so a child it forked cannot keep
    the run waiting by holding a pipe open."""
    with tempfile.TemporaryDirectory(prefix="veriopt-run-") as cwd, \
            tempfile.TemporaryDirectory(prefix="veriopt-io-") as io:
        files = {name: Path(io) / name for name in ("in", "out", "err")}
        files["in"].write_text(stdin)
        with open(files["in"]) as fin, open(files["out"], "w") as fout, \
                open(files["err"], "w") as ferr:
            proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=ferr, cwd=cwd,
                                    preexec_fn=limit_child(cpu_seconds, memory),
                                    env={"UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1",
                                         "PATH": "/usr/bin:/bin", **(env or {})})
            timed_out = False
            try:
                proc.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                kill_group(proc.pid)
                proc.wait()
        out = files["out"].read_text(errors="replace")
        err = files["err"].read_text(errors="replace")
    _warn_unconfined(out)
    return out, err, (None if timed_out else proc.returncode), timed_out


def _warn_unconfined(out: str) -> None:
    global _warned
    if not _warned and out.startswith("S "):
        _warned = True
        log.warning("the kernel refused the seccomp filter (%s): candidates run with "
                    "resource limits and a killed process group only", out[2:].split("\n")[0])


# Installed by the harness before it reads the first input. x86-64 and
# AArch64; elsewhere the harness says "S unsupported-arch" and runs unfiltered.
SECCOMP_C = r"""
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#if defined(__x86_64__)
#define VO_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define VO_ARCH AUDIT_ARCH_AARCH64
#endif
#define VO_NR offsetof(struct seccomp_data, nr)
#define VO_ARG(i) offsetof(struct seccomp_data, args[i])
#define VO_DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define VO_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)
#define VO_OPEN(nr, arg) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4), \
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, VO_ARG(arg)), \
  BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, VO_WRITE_FLAGS, 0, 1), \
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM), \
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
static const char *veriopt_sandbox(void) {
#ifndef VO_ARCH
  return "unsupported-arch";
#else
  struct sock_filter filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VO_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, VO_NR),
#ifdef __x86_64__
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),   /* the x32 ABI */
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    VO_DENY(__NR_fork), VO_DENY(__NR_vfork), VO_DENY(__NR_creat), VO_DENY(__NR_unlink),
    VO_DENY(__NR_rename), VO_DENY(__NR_mkdir), VO_DENY(__NR_rmdir), VO_DENY(__NR_link),
    VO_DENY(__NR_symlink), VO_DENY(__NR_chmod), VO_DENY(__NR_chown), VO_DENY(__NR_lchown),
    VO_DENY(__NR_mknod),
#endif
#ifdef __NR_clone3
    VO_DENY(__NR_clone3),
#endif
#ifdef __NR_openat2
    VO_DENY(__NR_openat2),
#endif
#ifdef __NR_io_uring_setup
    VO_DENY(__NR_io_uring_setup),
#endif
    VO_DENY(__NR_clone), VO_DENY(__NR_execve), VO_DENY(__NR_execveat),
    VO_DENY(__NR_kill), VO_DENY(__NR_socket), VO_DENY(__NR_socketpair), VO_DENY(__NR_connect),
    VO_DENY(__NR_bind), VO_DENY(__NR_ptrace), VO_DENY(__NR_setsid), VO_DENY(__NR_setpgid),
    VO_DENY(__NR_unlinkat), VO_DENY(__NR_renameat), VO_DENY(__NR_renameat2),
    VO_DENY(__NR_mkdirat), VO_DENY(__NR_linkat), VO_DENY(__NR_symlinkat),
    VO_DENY(__NR_fchmodat), VO_DENY(__NR_fchmod), VO_DENY(__NR_fchownat), VO_DENY(__NR_fchown),
    VO_DENY(__NR_truncate), VO_DENY(__NR_ftruncate), VO_DENY(__NR_mknodat),
    VO_DENY(__NR_open_by_handle_at),
    VO_DENY(__NR_process_vm_writev), VO_DENY(__NR_mount), VO_DENY(__NR_chroot),
    VO_DENY(__NR_setuid), VO_DENY(__NR_setgid), VO_DENY(__NR_prctl),
#ifdef __x86_64__
    VO_OPEN(__NR_open, 1),
#endif
    VO_OPEN(__NR_openat, 2),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { sizeof filter / sizeof filter[0], filter };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "no_new_privs";
  if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return "seccomp";
  return 0;
#endif
}
"""
