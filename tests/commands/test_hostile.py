"""Hostile input, run as a user would (issue 14): the real command line in a
subprocess, on malformed and adversarial files the tests make themselves
(fixed files here; mutations of small seeds from hypothesis).

Every run must end in a verdict, `unknown` or a one-line error, with the
documented exit code (0 correct, 1 incorrect, 2 bad input or usage,
3 unknown / limit / unsupported, 4 bounded; 5, an internal error, is a
failure here), within its `--time-limit` plus 5 s, under its memory cap,
with no traceback, a valid document on stdout under `--json`, no process
left behind, and nothing written outside its own temporary directories.
The CI part is a fixed sample (about 30 runs of a second or two); the large
hypothesis run is `-m slow`. scripts/hostile_runs.py is the 500-run version.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent.parent
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "schema" / "veriopt.schema.json").read_text()))
MEMORY_MB = 1024       # --memory-limit of every run: small, the machine is shared
OVER = 5.0             # a run may end this long after its --time-limit
GUARD = 30.0           # ... and is killed (a failure) this long after it
VALID_EXITS = {0, 1, 2, 3, 4}

# ------------------------------------------------------------ seeds

IR_ARITH = """define i32 @src(i32 %x, i32 %y) {
  %a = add nsw i32 %x, %y
  %b = mul i32 %a, 2
  ret i32 %b
}
define i32 @tgt(i32 %x, i32 %y) {
  %a = add i32 %x, %y
  %b = shl i32 %a, 1
  ret i32 %b
}
"""
IR_MEMORY = """define i32 @src(ptr %p, i32 %v) {
  store i32 %v, ptr %p
  %l = load i32, ptr %p
  ret i32 %l
}
define i32 @tgt(ptr %p, i32 %v) {
  store i32 %v, ptr %p
  ret i32 %v
}
"""
IR_VECTOR = """define <4 x i8> @src(<4 x i8> %x) {
  %r = mul <4 x i8> %x, <i8 2, i8 2, i8 2, i8 2>
  ret <4 x i8> %r
}
define <4 x i8> @tgt(<4 x i8> %x) {
  %r = add <4 x i8> %x, %x
  ret <4 x i8> %r
}
"""
C_SHIFT = "int f(int x) { return x * 8; }\nint g(int x) { return x << 3; }\n"
C_ARRAY = ("void f(int *a, int n) { for (int i = 0; i < n; i++) a[i] = a[i] * 2; }\n"
           "void g(int *a, int n) { for (int i = 0; i < n; i++) a[i] = a[i] + a[i]; }\n")
IR_SEEDS = [IR_ARITH, IR_MEMORY, IR_VECTOR]
C_SEEDS = [C_SHIFT, C_ARRAY]
TYPES = ["i0", "i1", "i100000", "i8388608", "<65536 x i64>", "ptr", "float", "void", "label",
         "[100000000 x i32]", "x86_fp80", "i32*", "%struct.s", "<0 x i8>", "int", "char *"]


def wide_pair(ty: str, op: str = "mul") -> str:
    return "".join(f"define {ty} @{n}({ty} %x, {ty} %y) {{\n  %r = {op} {ty} {a}, {b}\n"
                   f"  ret {ty} %r\n}}\n" for n, a, b in (("src", "%x", "%y"), ("tgt", "%y", "%x")))


def chain(n: int) -> str:
    body = [f"  %v{i} = mul i32 {'%x' if i == 0 else f'%v{i - 1}'}, %x" for i in range(n)]
    return "".join(f"define i32 @{name}(i32 %x) {{\n" + "\n".join(body)
                   + f"\n  ret i32 %v{n - k}\n}}\n" for name, k in (("src", 1), ("tgt", 2)))


def c_pair(f_body: str, g_body: str = "return x;", head: str = "") -> str:
    return f"{head}int f(int x) {{ {f_body} }}\nint g(int x) {{ {g_body} }}\n"


PWNED = "PWNED"        # replaced by a path inside the run's temporary directory
FG = ["--src-fn", "f", "--tgt-fn", "g"]

# ------------------------------------------------------------ running and judging


@dataclass
class Run:
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: int
    leftovers: list[str]
    written: list[str]


def _session(sid: int) -> list[str]:
    """SIGKILL every live process of session `sid`; their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200])
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue
    return found


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def veriopt(box: Path, argv: list[str], limit: float) -> Run:
    """Run `veriopt argv --time-limit limit --memory-limit MEMORY_MB` in its
    own session, its working directory, HOME and TMPDIR empty directories of
    `box`; what it did."""
    dirs = {name: box / name for name in ("cwd", "home", "tmp")}
    for d in dirs.values():
        d.mkdir(exist_ok=True)
    before = _tree(box)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(dirs["home"]),
           "TMPDIR": str(dirs["tmp"]), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    argv = [a.replace(PWNED, str(box / "pwned")) for a in argv]
    argv += ["--time-limit", f"{limit:g}", "--memory-limit", str(MEMORY_MB)]
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "veriopt.cli", *argv], stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, env=env,
                                cwd=dirs["cwd"], start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > limit + GUARD:
                _session(proc.pid)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        leftovers = _session(proc.pid)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    # its temporaries may only be under TMPDIR; everything else stays as it was
    written = sorted(p for p in _tree(box) - before if not p.startswith("tmp"))
    return Run(argv, code, stdout, stderr, seconds, usage.ru_maxrss // 1024, leftovers, written)


def check(run: Run, limit: float, exits: set[int] = VALID_EXITS) -> None:
    """The rules every hostile run keeps (see the module docstring)."""
    what = f"veriopt {' '.join(run.argv)}\nexit {run.code}\nstdout {run.stdout[-1500:]}\n" \
           f"stderr {run.stderr[-1500:]}"
    assert run.code in exits, what
    assert "Traceback" not in run.stdout + run.stderr, what
    assert run.seconds <= limit + OVER, what
    assert run.max_rss_mb <= MEMORY_MB + 64, what
    assert not run.leftovers, what
    assert not run.written, (run.written, what)
    if run.code == 2:      # one line: `file:line: error: message` or a usage error
        lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
        usage = any(ln.startswith("usage:") for ln in lines)
        assert usage or len(lines) == 1, what
    if "--json" in run.argv:
        doc = json.loads(run.stdout)
        VALIDATOR.validate(doc)
        error = doc.get("error")
        if run.code == 2:
            assert isinstance(error, dict) and error["kind"] in ("bad_input", "missing_tool"), what
        elif isinstance(error, dict):
            assert run.code == 3 and error["kind"] == "limit", what


# ------------------------------------------------------------ the fixed sample

def _write(box: Path, name: str, data: str | bytes) -> str:
    path = box / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
    return str(path)


# (id, file name, content or None for no file, argv after the command with
#  {} for the path, time limit, allowed exit codes)
FIXED = [
    ("ir-truncated", "t.ll", IR_ARITH[:97], ["verify", "{}"], 10, {2}),
    ("ir-byte-flipped", "t.ll", IR_ARITH.replace("add nsw", "a\x01d\xffnsw"), ["verify", "{}"], 10, {2}),
    ("ir-non-utf8", "t.ll", IR_ARITH.encode() + b"; \xff\xfe\xc3\x28\n", ["verify", "{}", "--json"],
     10, {0, 2}),
    ("ir-binary", "t.ll", bytes(range(256)) * 8, ["verify", "{}", "--json"], 10, {2}),
    ("ir-wrong-type", "t.ll", IR_ARITH.replace("i32 %y", "label %y"), ["verify", "{}"], 10, {2, 3}),
    ("ir-empty", "t.ll", "", ["verify", "{}"], 10, {2}),
    ("ir-unpaired", "t.ll", IR_ARITH.replace("@tgt", "@tgt1"), ["verify", "{}", "--json"], 10, {2}),
    ("ir-directory", "d.ll/", None, ["verify", "{}"], 10, {2}),
    ("ir-missing", "missing.ll", None, ["verify", "{}", "--json"], 10, {2}),
    ("ir-huge-width", "t.ll", wide_pair("i8388608", "add"), ["verify", "{}"], 8, {0, 2, 3}),
    ("ir-huge-vector", "t.ll", wide_pair("<65536 x i64>"), ["verify", "{}", "--json"], 5, {0, 2, 3}),
    ("ir-deep-chain", "t.ll", chain(3000), ["verify", "{}", "--timeout", "1"], 4, {1, 3}),
    ("ir-fuzz-binary", "t.ll", b"\x7fELF\x02\x01\x01" + bytes(60), ["fuzz", "{}", "--json"], 10, {2}),
    ("ir-bad-timeout", "t.ll", IR_ARITH, ["verify", "{}", "--timeout", "-1", "--json"], 10, {2}),
    ("c-syntax-error", "t.c", "int f(int x) { return x +; }\n", ["verify-c", "{}", *FG], 10, {2}),
    ("c-negative-array", "t.c", c_pair("int a[-1]; return x;"), ["verify-c", "{}", *FG], 10, {2}),
    ("c-deep-parens", "t.c", c_pair("return " + "(" * 6000 + "x" + ")" * 6000 + ";"),
     ["verify-c", "{}", *FG, "--json"], 15, {2}),
    ("c-deep-if", "t.c", c_pair("if (x) { " * 3000 + "x++;" + " }" * 3000 + " return x;"),
     ["verify-c", "{}", *FG], 15, {2}),
    ("c-self-include", "t.c", c_pair("return x;", head="#include __FILE__\n"),
     ["verify-c", "{}", *FG], 15, {2}),
    ("c-macro-bomb", "t.c", "#define A x+x+x+x+x+x+x+x+x+x\n#define B A+A+A+A+A+A+A+A+A+A\n"
     "#define C B+B+B+B+B+B+B+B+B+B\n" + c_pair("return C;", "return x * 1000;"),
     ["verify-c", "{}", *FG, "--timeout", "3"], 15, {0, 1, 2, 3, 4}),
    ("c-recursion", "t.c", c_pair("return f(x + 1);", "return g(x - 1);"),
     ["verify-c", "{}", *FG, "--timeout", "2"], 15, {0, 1, 2, 3, 4}),
    ("c-infinite-loop", "t.c", c_pair("for (;;) {} return x;", "while (1) {} return x;"),
     ["fuzz", "{}", *FG, "--time-budget", "2", "--json"], 15, {3}),
    ("c-loop-default-budget", "t.c", c_pair("for (;;) {} return x;"), ["fuzz", "{}", *FG], 3, {3}),
    ("c-huge-local", "t.c", c_pair("int a[100000000]; a[x & 7] = x; return a[x & 7];"),
     ["fuzz", "{}", *FG, "--examples", "200", "--time-budget", "3"], 15, {1, 3}),
    ("c-fork", "t.c", c_pair("return x + 1;", "fork(); return x + 1;", "int fork(void);\n"),
     ["fuzz", "{}", *FG, "--json"], 15, {2}),
    ("c-system", "t.c", c_pair('return system("touch PWNED") + x;', 'return system("touch PWNED") + x;',
                               "#include <stdlib.h>\n"), ["fuzz", "{}", *FG], 15, {2}),
    ("c-fork-pointer", "t.c", c_pair("int (*p)(void) = fork; p(); return x;",
                                     "int (*p)(void) = fork; p(); return x;", "int fork(void);\n"),
     ["verify-c", "{}", *FG], 15, {0, 2, 3}),
    ("c-non-utf8", "t.c", c_pair("return x;").encode() + b"/* \xe9\xe8 */\n",
     ["fuzz", "{}", *FG, "--examples", "100"], 15, {2, 3}),
    ("c-binary", "t.c", bytes(range(256)) * 4, ["verify-c", "{}", *FG, "--json"], 10, {2}),
    ("c-bad-examples", "t.c", C_SHIFT, ["fuzz", "{}", *FG, "--examples", "0", "--json"], 10, {2}),
]


@pytest.mark.parametrize("name,file,data,argv,limit,exits", FIXED, ids=[c[0] for c in FIXED])
def test_hostile_file(tmp_path, name, file, data, argv, limit, exits):
    path = str(tmp_path / "in" / file)
    if file.endswith("/"):
        Path(path).mkdir(parents=True)
    elif data is not None:
        path = _write(tmp_path, file, data)
    run = veriopt(tmp_path, [a.replace("{}", path) for a in argv], limit)
    check(run, limit, exits)
    assert not (tmp_path / "pwned").exists()


# ------------------------------------------------------------ generated mutations

@st.composite
def mutated(draw) -> tuple[bytes, bool]:
    """A seed pair after one to three mutations: truncation, byte flips,
    inserted garbage, deleted or duplicated lines, swapped types, huge
    numbers, unpaired names, invalid UTF-8."""
    ir = draw(st.booleans())
    data = draw(st.sampled_from(IR_SEEDS if ir else C_SEEDS)).encode()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "garbage", "delete", "duplicate",
                                     "type", "number", "unpair", "nonutf8"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        lines = data.split(b"\n")
        line = draw(st.integers(0, len(lines) - 1))
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip" and data:
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "garbage":
            data = data[:at] + draw(st.binary(min_size=1, max_size=24)) + data[at:]
        elif kind == "delete":
            del lines[line]
            data = b"\n".join(lines)
        elif kind == "duplicate":
            lines.insert(line, lines[line])
            data = b"\n".join(lines)
        elif kind == "type":
            old = draw(st.sampled_from([b"i32", b"i8", b"ptr", b"int"]))
            data = data.replace(old, draw(st.sampled_from(TYPES)).encode(), draw(st.integers(1, 3)))
        elif kind == "number":
            data = data.replace(b"2", draw(st.sampled_from(
                [b"99999999999999999999999", b"-1", b"0x", b"1e400"])), 1)
        elif kind == "unpair":
            data = data.replace(b"@tgt" if ir else b"g(", b"@tgt1" if ir else b"h(", 1)
        elif kind == "nonutf8":
            data += b"\n; \xff\xfe\xc3\x28 \x80\n"
    return data, ir


def _run_mutated(box: Path, case: tuple[bytes, bool], command: str, as_json: bool) -> None:
    data, ir = case
    path = _write(box, "m.ll" if ir else "m.c", data)
    if ir:
        argv = ["verify", path, "--timeout", "2"] if command == "verify" else \
            ["fuzz", path, "--examples", "200", "--time-budget", "2"]
    else:
        argv = ["verify-c", path, *FG, "--timeout", "2"] if command == "verify" else \
            ["fuzz", path, *FG, "--examples", "200", "--time-budget", "2"]
    limit = 12.0
    run = veriopt(box, argv + (["--json"] if as_json else []), limit)
    check(run, limit)


def _property(tmp_path_factory):
    @given(case=mutated(), command=st.sampled_from(["verify", "fuzz"]), as_json=st.booleans())
    def prop(case, command, as_json):
        _run_mutated(tmp_path_factory.mktemp("m"), case, command, as_json)
    return prop


SETTINGS = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))


def test_mutated_seeds_fixed_sample(tmp_path_factory):
    """Eight derandomized mutations: the same runs on every CI run."""
    settings(max_examples=8, derandomize=True, **SETTINGS)(_property(tmp_path_factory))()


@pytest.mark.slow
def test_mutated_seeds_many(tmp_path_factory):
    settings(max_examples=150, **SETTINGS)(_property(tmp_path_factory))()
