"""The candidate sandbox (verify/concrete/sandbox.py): code veriopt runs
cannot leave a process behind, write a file or reach the network, and runs
in an empty temporary directory."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from c_helpers import write
from veriopt.translation.c_frontend import load
from veriopt.verify.c_pair import signature
from veriopt.verify.concrete import Binary, Case, workdir
from veriopt.verify.concrete.sandbox import sandboxed

# what the candidates try; the sandbox must turn each into a failed call
ESCAPES = """int fork(void);
unsigned sleep(unsigned);
int open(const char *, int, ...);
long write(int, const void *, unsigned long);
void _exit(int);
int socket(int, int, int);
int forks(int x, const char *path) {
  int (*volatile spawn)(void) = fork;   /* a pointer: no `fork(` for a scanner to see */
  int pid = spawn();
  if (pid == 0) { sleep(1); int fd = open(path, 0101, 0644); write(fd, "escaped", 7); _exit(0); }
  return pid < 0 ? x : -1;
}
int writes(int x, const char *path) { return open(path, 0101, 0644) < 0 ? x : -1; }
int sockets(int x) { return socket(2, 1, 0) < 0 ? x : -1; }
"""


def _binary(tmp_path: Path, work: Path, fn: str, escaped: Path) -> Binary:
    text = ESCAPES.replace("const char *path", "int unused").replace("path", f'"{escaped}"')
    src = write(tmp_path, f"{fn}.c", text)
    params, ret_t = signature(load(src), fn)
    return Binary(src, fn, params, ret_t, work, fn, trap=True)


def _leftovers(marker: str) -> str:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return "\n".join(line for line in ps.splitlines() if marker in line)


def test_a_candidate_cannot_fork_write_files_or_open_sockets(tmp_path):
    escaped = tmp_path / "escaped.txt"
    with workdir() as tmp:
        for fn in ("forks", "writes", "sockets"):
            binary = _binary(tmp_path, Path(tmp), fn, escaped)
            results = binary.run([Case(ints={"x": 7, "unused": 0})], 2.0)
            # each call failed (EPERM), so the function returned x
            assert results[0].status == "ok" and results[0].ret == 7, (fn, results)
    time.sleep(1.5)             # a forked child would have written by now
    assert not escaped.exists()
    assert not _leftovers(str(tmp_path))


def test_the_whole_process_group_dies_with_the_run(tmp_path):
    # no seccomp here (a shell, not the harness): the group kill alone must
    # stop a background child, at the end of a run and at its timeout
    marker = tmp_path / "late.txt"
    script = f"pwd; ls -A; (sleep 1; echo x > {marker}) & echo R 0"
    out, _, code, timed_out = sandboxed(["/bin/sh", "-c", script], "", 5, 5, 256 << 20)
    cwd, *rest = out.splitlines()
    assert rest == ["R 0"] and code == 0 and not timed_out
    assert "veriopt-run-" in cwd and not Path(cwd).exists()   # empty, and removed after
    start = time.monotonic()
    _, _, code, timed_out = sandboxed(
        ["/bin/sh", "-c", f"(sleep 1; echo x > {marker}) & sleep 60"], "", 0.5, 5, 256 << 20)
    assert timed_out and code is None and time.monotonic() - start < 5
    time.sleep(1.5)
    assert not marker.exists()
