"""The inputs of scripts/hostile_runs.py: seed IR and C, their mutations,
hostile files, bad flags, garbage stores and unwritable outputs, as a list
of runs (argv, wall-clock limit, category) built from one seed."""
from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

MEMORY_MB = 2048       # --memory-limit of every run (2 run side by side)

IR_SEEDS = {
    "arith": """define i32 @src(i32 %x, i32 %y) {
  %a = add nsw i32 %x, %y
  %b = mul i32 %a, 2
  ret i32 %b
}
define i32 @tgt(i32 %x, i32 %y) {
  %a = add i32 %x, %y
  %b = shl i32 %a, 1
  ret i32 %b
}
""",
    "loop": """define i8 @src(i8 %n) {
entry:
  br label %loop
loop:
  %i = phi i8 [ 0, %entry ], [ %next, %loop ]
  %next = add i8 %i, 1
  %c = icmp ult i8 %next, %n
  br i1 %c, label %loop, label %exit
exit:
  ret i8 %next
}
define i8 @tgt(i8 %n) {
  %r = call i8 @llvm.umax.i8(i8 %n, i8 1)
  ret i8 %r
}
declare i8 @llvm.umax.i8(i8, i8)
""",
    "memory": """define i32 @src(ptr %p, i32 %v) {
  store i32 %v, ptr %p
  %l = load i32, ptr %p
  ret i32 %l
}
define i32 @tgt(ptr %p, i32 %v) {
  store i32 %v, ptr %p
  ret i32 %v
}
""",
    "vector": """define <4 x i8> @src(<4 x i8> %x) {
  %r = mul <4 x i8> %x, <i8 2, i8 2, i8 2, i8 2>
  ret <4 x i8> %r
}
define <4 x i8> @tgt(<4 x i8> %x) {
  %r = add <4 x i8> %x, %x
  ret <4 x i8> %r
}
""",
    "select": """define i1 @src(i32 %x) {
  %c = icmp sgt i32 %x, 5
  %d = icmp sgt i32 %x, 3
  %r = select i1 %c, i1 true, i1 %d
  ret i1 %r
}
define i1 @tgt(i32 %x) {
  %r = icmp sgt i32 %x, 3
  ret i1 %r
}
""",
    "float": """define float @src(float %x) {
  %r = fadd float %x, 0.0
  ret float %r
}
define float @tgt(float %x) {
  ret float %x
}
""",
}

C_SEEDS = {
    "shift": "int f(int x) { return x * 8; }\nint g(int x) { return x << 3; }\n",
    "div": "int f(int x) { return x / 4; }\nint g(int x) { return x >> 2; }\n",
    "array": ("void f(int *a, int n) { for (int i = 0; i < n; i++) a[i] = a[i] * 2; }\n"
              "void g(int *a, int n) { for (int i = 0; i < n; i++) a[i] = a[i] + a[i]; }\n"),
    "popcount": ("#include <stdint.h>\n"
                 "int f(uint32_t x) { int c = 0; for (int i = 0; i < 32; i++) c += (x >> i) & 1;"
                 " return c; }\n"
                 "int g(uint32_t x) { int c = 0; while (x) { c += x & 1; x >>= 1; } return c; }\n"),
}

TYPE_SWAPS = ["i0", "i1", "i100000", "i8388608", "<65536 x i64>", "ptr", "float", "void",
              "label", "[100000000 x i32]", "x86_fp80", "i32*", "%struct.s", "<0 x i8>"]


# ------------------------------------------------------------ mutations

def mutate(rng: random.Random, text: str, ir: bool) -> bytes:
    """One to three random mutations of a seed: truncation, byte flips,
    garbage bytes, deleted or duplicated lines, swapped types, huge numbers,
    unpaired or swapped function names."""
    data = text.encode()
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["truncate", "flip", "garbage", "delete", "duplicate", "type",
                           "number", "unpair", "swap", "nonutf8"])
        lines = data.split(b"\n")
        if kind == "truncate" and data:
            data = data[:rng.randrange(len(data))]
        elif kind == "flip" and data:
            buf = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
            data = bytes(buf)
        elif kind == "garbage":
            at = rng.randrange(len(data) + 1)
            data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))) \
                + data[at:]
        elif kind == "delete" and lines:
            del lines[rng.randrange(len(lines))]
            data = b"\n".join(lines)
        elif kind == "duplicate" and lines:
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif kind == "type":
            old = rng.choice([b"i32", b"i8", b"i1", b"float", b"ptr", b"int"])
            data = data.replace(old, rng.choice(TYPE_SWAPS).encode(), rng.randint(1, 3))
        elif kind == "number":
            for digit in b"0123458":
                if bytes([digit]) in data:
                    data = data.replace(bytes([digit]), rng.choice(
                        [b"99999999999999999999999", b"-1", b"0x", b"1e400"]), 1)
                    break
        elif kind == "unpair":
            data = data.replace(b"@tgt" if ir else b"g(", b"@tgt1" if ir else b"h(", 1)
        elif kind == "swap":
            data = data.replace(b"@src", b"@tmp").replace(b"@tgt", b"@src").replace(b"@tmp",
                                                                                     b"@tgt")
        elif kind == "nonutf8":
            data = data + b"\n; \xff\xfe\xc3\x28 \x80\n"
    return data


def chain(n: int) -> str:
    body = [f"  %v{i} = mul i32 {'%x' if i == 0 else f'%v{i - 1}'}, %x" for i in range(n)]
    return "".join(f"define i32 @{name}(i32 %x) {{\n" + "\n".join(body) + f"\n  ret i32 %v{n - k}\n}}\n"
                   for name, k in (("src", 1), ("tgt", 2)))


def wide_pair(ty: str, op: str = "mul") -> str:
    return "".join(f"define {ty} @{n}({ty} %x, {ty} %y) {{\n  %r = {op} {ty} {a}, {b}\n"
                   f"  ret {ty} %r\n}}\n" for n, a, b in (("src", "%x", "%y"), ("tgt", "%y", "%x")))


BIG_ARRAY = """define i32 @src(i64 %i) {
  %a = alloca [100000000 x i32]
  %p = getelementptr [100000000 x i32], ptr %a, i64 0, i64 %i
  store i32 1, ptr %p
  %v = load i32, ptr %p
  ret i32 %v
}
define i32 @tgt(i64 %i) {
  %a = alloca [100000000 x i32]
  %p = getelementptr [100000000 x i32], ptr %a, i64 0, i64 %i
  store i32 1, ptr %p
  ret i32 1
}
"""

C_HOSTILE = {
    "infinite_loop": "int f(int x) { for (;;) {} return x; }\nint g(int x) { while (1) {} return x; }\n",
    "recursion": "int f(int x) { return f(x + 1); }\nint g(int x) { return g(x - 1); }\n",
    "deep_recursion_ok": ("int f(unsigned x) { return x ? 1 + f(x - 1) : 0; }\n"
                          "int g(unsigned x) { return (int)x; }\n"),
    "huge_local": ("int f(int x) { int a[100000000]; a[x & 7] = x; return a[x & 7]; }\n"
                   "int g(int x) { return x; }\n"),
    "huge_static": ("static int a[400000000];\nint f(int x) { a[x & 7] = x; return a[x & 7]; }\n"
                    "int g(int x) { return x; }\n"),
    "negative_array": "int f(int x) { int a[-1]; return x; }\nint g(int x) { return x; }\n",
    "uninit": "int f(int x) { int y; return y + x - y; }\nint g(int x) { return x; }\n",
    "dev_zero": '#include "/dev/zero"\nint f(int x) { return x; }\nint g(int x) { return x; }\n',
    "dev_urandom": '#include "/dev/urandom"\nint f(int x) { return x; }\nint g(int x) { return x; }\n',
    "etc_passwd": '#include "/etc/passwd"\nint f(int x) { return x; }\nint g(int x) { return x; }\n',
    "self_include": '#include __FILE__\nint f(int x) { return x; }\nint g(int x) { return x; }\n',
    "macro_bomb": ("#define A x+x+x+x+x+x+x+x+x+x\n#define B A+A+A+A+A+A+A+A+A+A\n"
                   "#define C B+B+B+B+B+B+B+B+B+B\n#define D C+C+C+C+C+C+C+C+C+C\n"
                   "#define E D+D+D+D+D+D+D+D+D+D\n"
                   "int f(int x) { return E; }\nint g(int x) { return x * 100000; }\n"),
    "parens_1000": "int f(int x) { return " + "(" * 1000 + "x" + ")" * 1000
                   + "; }\nint g(int x) { return x; }\n",
    "parens_6000": "int f(int x) { return " + "(" * 6000 + "x" + ")" * 6000
                   + "; }\nint g(int x) { return x; }\n",
    "plus_5000": "int f(int x) { return x" + " + x" * 5000 + "; }\nint g(int x) { return x; }\n",
    "minus_5000": "int f(int x) { return " + "- " * 5000 + "x; }\nint g(int x) { return x; }\n",
    "nested_if_3000": "int f(int x) { " + "if (x) { " * 3000 + "x++;" + " }" * 3000
                      + " return x; }\nint g(int x) { return x; }\n",
    "fork": ("int fork(void);\nint f(int x) { return x + 1; }\n"
             "int g(int x) { fork(); return x + 1; }\n"),
    "fork_pointer": ("int fork(void);\nint f(int x) { int (*p)(void) = fork; p(); return x; }\n"
                     "int g(int x) { int (*p)(void) = fork; p(); return x; }\n"),
    "system": ("#include <stdlib.h>\nint f(int x) { return system(\"touch /tmp/pwned\") + x; }\n"
               "int g(int x) { return system(\"touch /tmp/pwned\") + x; }\n"),
    "asm": 'int f(int x) { __asm__("nop"); return x; }\nint g(int x) { return x; }\n',
    "vla": "int f(int n) { int a[n]; a[0] = n; return a[0]; }\nint g(int n) { return n; }\n",
    "goto": "int f(int x) { again: x++; if (x < 10) goto again; return x; }\n"
             "int g(int x) { return x < 10 ? 10 : x + 1; }\n",
    "binary": "\x7fELF\x02\x01\x01\x00" + "\x00" * 40,
}


# ------------------------------------------------------------ the runs

class Runs:
    """Builds the list of runs (argv, limit, category) inside `work`."""

    def __init__(self, work: Path, rng: random.Random):
        self.work = work
        self.rng = rng
        self.runs: list[dict] = []
        self.n = 0

    def file(self, name: str, data: bytes | str) -> str:
        self.n += 1
        path = self.work / f"{self.n:04d}-{name}"
        path.write_bytes(data.encode("utf-8", "surrogateescape") if isinstance(data, str)
                         else data)
        return str(path)

    def add(self, category: str, argv: list[str], limit: float = 20.0, json_ok: bool = True,
            limits: bool = True) -> None:
        if json_ok and self.rng.random() < 0.4:
            argv = argv + ["--json"]
        if limits:
            argv = argv + ["--time-limit", f"{limit:g}", "--memory-limit", str(MEMORY_MB)]
        self.runs.append({"category": category, "argv": argv, "limit": limit})


def ir_runs(r: Runs, count: int) -> None:
    for i in range(count):
        name = r.rng.choice(sorted(IR_SEEDS))
        path = r.file(f"{name}.ll", mutate(r.rng, IR_SEEDS[name], ir=True))
        roll = r.rng.random()
        if roll < 0.75:
            extra = r.rng.choice([[], ["--timeout", "2"], ["--unroll", "4"], ["--bidirectional"],
                                  ["--disallow-ub-exploitation"], ["--solver", "z3"]])
            r.add("ir-mutated", ["verify", path, *extra], 20)
        elif roll < 0.9:
            r.add("ir-mutated", ["fuzz", path, "--examples", "200", "--time-budget", "3"], 20)
        else:
            r.add("ir-mutated", ["optimize", path, "--budget", "3s", "--no-timing", "--quiet",
                                 "--store", str(r.work / f"store-{i}.sqlite")], 40)


def ir_huge_runs(r: Runs) -> None:
    cases = [("chain5000", chain(5000), 10), ("chain2000", chain(2000), 10),
             ("vec65536", wide_pair("<65536 x i64>"), 15), ("vec4096", wide_pair("<4096 x i32>"), 15),
             ("array1e8", BIG_ARRAY, 15), ("i65536", wide_pair("i65536"), 15),
             ("i8388608", wide_pair("i8388608", "add"), 15), ("udiv4096", wide_pair("i4096", "udiv"), 15),
             ("pairs200", "".join(IR_SEEDS["arith"].replace("@src", f"@src{k}").replace(
                 "@tgt", f"@tgt{k}") for k in range(200)), 30)]
    for name, text, limit in cases:
        path = r.file(f"{name}.ll", text)
        r.add("ir-huge", ["verify", path], limit)
        if name in ("chain5000", "vec65536", "array1e8"):
            r.add("ir-huge", ["verify", path, "--timeout", "1"], limit)
            r.add("ir-huge", ["fuzz", path, "--time-budget", "3"], limit)


def c_runs(r: Runs, count: int) -> None:
    for _ in range(count):
        name = r.rng.choice(sorted(C_SEEDS))
        path = r.file(f"{name}.c", mutate(r.rng, C_SEEDS[name], ir=False))
        if r.rng.random() < 0.6:
            r.add("c-mutated", ["verify-c", path, "--src-fn", "f", "--tgt-fn", "g",
                                "--timeout", "5"], 30)
        else:
            r.add("c-mutated", ["fuzz", path, "--src-fn", "f", "--tgt-fn", "g",
                                "--examples", "300", "--time-budget", "3"], 30)


def c_hostile_runs(r: Runs) -> None:
    for name, text in C_HOSTILE.items():
        path = r.file(f"{name}.c", text)
        r.add("c-hostile", ["verify-c", path, "--src-fn", "f", "--tgt-fn", "g", "--timeout", "5"], 30)
        r.add("c-hostile", ["fuzz", path, "--src-fn", "f", "--tgt-fn", "g", "--examples", "2000",
                            "--time-budget", "4"], 30)
    loop = r.file("loop_default_budget.c", C_HOSTILE["infinite_loop"])
    r.add("c-hostile", ["fuzz", loop, "--src-fn", "f", "--tgt-fn", "g"], 15)   # the time limit stops it
    opt = r.file("opt_fork.c", "int f(int x) { return x * 8; }\n")
    r.add("c-hostile", ["optimize", opt, "--budget", "4s", "--no-timing", "--quiet",
                        "--store", str(r.work / "store-c.sqlite")], 60)


def path_runs(r: Runs) -> None:
    folder = r.work / "a-directory.ll"
    folder.mkdir()
    fifo = r.work / "fifo.ll"
    os.mkfifo(fifo)
    empty = r.file("empty.ll", "")
    binary = r.file("random.ll", bytes(r.rng.randrange(256) for _ in range(4096)))
    cbinary = r.file("random.c", bytes(r.rng.randrange(256) for _ in range(4096)))
    nonutf = r.file("latin1.c", b"int f(int x) { return x; } /* \xe9\xe8 */\nint g(int x) { return x; }\n")
    missing = str(r.work / "does-not-exist.ll")
    for cmd in (["verify", str(folder)], ["verify", missing], ["verify", empty], ["verify", binary],
                ["verify", "/dev/null"], ["verify", empty, empty], ["verify", binary, missing],
                ["fuzz", str(folder)], ["fuzz", missing], ["fuzz", binary],
                ["verify-c", cbinary, "-f", "f"], ["verify-c", nonutf, "--src-fn", "f", "--tgt-fn", "g"],
                ["verify-c", str(r.work), "-f", "f"], ["verify-c", missing.replace(".ll", ".c"), "-f", "f"],
                ["fuzz", nonutf, "--src-fn", "f", "--tgt-fn", "g", "--time-budget", "2"],
                ["optimize", str(folder), "--budget", "2s"], ["optimize", missing, "--budget", "2s"],
                ["optimize", binary, "--budget", "2s"], ["optimize", cbinary, "--budget", "2s"],
                ["conformance", missing], ["conformance", binary], ["conformance", str(folder)],
                ["bench", missing], ["bench", binary]):
        r.add("paths", cmd, 20)
    r.add("paths", ["verify", str(fifo)], 5)
    r.add("paths", ["verify-c", "/dev/zero", "-f", "f", "--timeout", "2"], 20)


def flag_runs(r: Runs) -> None:
    ir = r.file("flags.ll", IR_SEEDS["arith"])
    c = r.file("flags.c", C_SEEDS["shift"])
    bad = [["verify", ir, "--timeout", v] for v in ("0", "-1", "nan", "inf", "abc", "1e999", "")]
    bad += [["verify", ir, "--unroll", v] for v in ("-1", "abc", "99999999999")]
    bad += [["verify", ir, "--time-limit", v] for v in ("0", "-3", "x")]
    bad += [["verify", ir, "--memory-limit", v] for v in ("1", "abc", "-5", "0")]
    bad += [["verify", ir, "--solver", "cvc5"], ["verify", ir, "--nonsense"], ["verify"],
            ["verify", ir, ir, ir], ["verify", c], ["verify", ir, "--src-fn", "nope"],
            ["verify", ir, "--tgt-is-asm"], ["verify", ir, "--emit-smt", "/proc/nope/dir"]]
    bad += [["verify-c", c], ["verify-c", c, "-f", "f"], ["verify-c", c, "--src-fn", "f", "--tgt-fn", "zz"],
            ["verify-c", c, "--src-fn", "f", "--tgt-fn", "g", "--unroll", "0"],
            ["verify-c", c, "--src-fn", "f", "--tgt-fn", "g", "--timeout", "-2"],
            ["verify-c", ir, "-f", "src"]]
    bad += [["fuzz", c, "--src-fn", "f", "--tgt-fn", "g", "--examples", v] for v in ("0", "-5", "x")]
    bad += [["fuzz", c, "--src-fn", "f", "--tgt-fn", "g", "--time-budget", v] for v in ("0", "-1")]
    bad += [["fuzz", c, "--src-fn", "f", "--tgt-fn", "g", "--seed", "x"]]
    bad += [["optimize", ir, "--budget", v] for v in ("0", "0s", "-1", "xyz", "1y", "")]
    bad += [["optimize", ir, "--budget", "2s", "--agents", "nope"],
            ["optimize", ir, "--budget", "2s", "--tokens", "-1"],
            ["optimize", ir, "--budget", "2s", "--runs", "0"],
            ["optimize", ir, "--budget", "2s", "--repair-rounds", "-1"],
            ["optimize", ir, "--budget", "2s", "--llm-timeout", "0"],
            ["optimize", ir, "--budget", "2s", "--function", "nope"],
            ["conformance", str(r.work), "--jobs", "0"], ["conformance", str(r.work), "--jobs", "-1"],
            ["bench", str(r.work), "--budget", "0"], ["nonsense-command"], []]
    for argv in bad:
        r.add("flags", argv, 20, json_ok=bool(argv) and argv[0] != "nonsense-command",
              limits=bool(argv) and argv[0] != "nonsense-command")


def store_runs(r: Runs) -> None:
    ir = r.file("store.ll", IR_SEEDS["arith"])
    garbage = r.file("garbage.sqlite", bytes(r.rng.randrange(256) for _ in range(8192)))
    text = r.file("text.sqlite", "this is not a database\n")
    other = r.work / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("create table candidates (x integer)")
        db.execute("create table meta (k text, v text)")
    adir = r.work / "a-store-dir"
    adir.mkdir()
    afile = r.file("report-is-a-file", "x")
    common = ["optimize", ir, "--budget", "3s", "--no-timing", "--quiet"]
    for store in (garbage, text, str(other), str(adir), "/proc/nope/s.sqlite", "/dev/null"):
        r.add("stores", common + ["--store", store], 40)
    good = str(r.work / "good.sqlite")
    for out in (["-o", "/proc/nope/out.ll"], ["-o", str(adir)], ["-o", "/proc/version"],
                ["--report", afile], ["--report", "/proc/nope/rep"], ["--report", "/dev/null"],
                ["-o", str(r.work / "ok.ll"), "--report", afile]):
        r.add("outputs", common + ["--store", good] + out, 40)
    r.add("outputs", ["verify", ir, "--emit-smt", afile], 20)


def conformance_runs(r: Runs) -> None:
    folder = r.work / "conf"
    folder.mkdir()
    for k in range(6):
        name = r.rng.choice(sorted(IR_SEEDS))
        (folder / f"t{k}.ll").write_bytes(mutate(r.rng, IR_SEEDS[name], ir=True))
    (folder / "manifest.jsonl").write_text('{"file": "t0.ll", "tags": ["x"]}\nnot json\n')
    r.add("conformance", ["conformance", str(folder), "--jobs", "2", "--timeout", "2"], 60)
    empty = r.work / "conf-empty"
    empty.mkdir()
    r.add("conformance", ["conformance", str(empty)], 20)


def build(work: Path, count: int, seed: int) -> list[dict]:
    r = Runs(work, random.Random(seed))
    ir_huge_runs(r)
    c_hostile_runs(r)
    path_runs(r)
    flag_runs(r)
    store_runs(r)
    conformance_runs(r)
    left = max(0, count - len(r.runs))
    ir_runs(r, left * 55 // 100)
    c_runs(r, left - left * 55 // 100)
    return r.runs
