"""x86 SIMD intrinsics against this machine's CPU; hand-checked values, poison, rewrites.

The oracle is LLVM's JIT running the real instruction: a wrapper function
takes the vectors as i64 chunks (and a chunk index), bitcasts them, calls
the intrinsic and returns one i64 chunk of the result. Our side evaluates
the bare call through the registry (`ConcreteRunner`) on the same lanes.
Shapes are derived here from the names, independently of the module."""
import random

import pytest
import z3
from helpers import function

from veriopt.ir import jit
from veriopt.translation.ir_smt import x86_intrinsics  # noqa: F401 (registration)
from veriopt.translation.ir_smt.evaluate import POISON as P
from veriopt.translation.ir_smt.evaluate import ConcreteRunner, evaluate
from veriopt.translation.ir_smt.registry import INTRINSICS
from veriopt.verify import verdict as V
from veriopt.verify.api import verify_ir

X86 = sorted(n for n in INTRINSICS if n.startswith("llvm.x86."))
FEATURES = "+ssse3,+sse4.1,+avx2,+avx512f,+avx512bw,+avx512vl"
ELEM = {"b": 8, "w": 16, "d": 32, "q": 64}


def shape(name: str) -> tuple[str, list[str]]:
    """(result type, argument types) of an x86 intrinsic, from its name."""
    iset, op, *rest = name.split(".")[2:]
    if rest and rest[-1] in ("128", "256", "512"):
        bits = int(rest.pop())
    elif iset == "avx2" and op in ("psrlv", "psllv", "psrav"):
        bits = 128
    else:
        bits = 256 if iset == "avx2" else 128

    def v(e: int) -> str:
        return f"<{bits // e} x i{e}>"
    tail = ".".join(rest)
    if op in ("psrl", "psra", "psll"):
        e = ELEM[tail]
        return v(e), [v(e), f"<{128 // e} x i{e}>"]
    if op in ("psrli", "psrai", "pslli"):
        return v(ELEM[tail]), [v(ELEM[tail]), "i32"]
    if op in ("pmadd", "pmaddw", "pmaddubs"):
        return (v(32), [v(16)] * 2) if tail in ("wd", "d") else (v(16), [v(8)] * 2)
    if op.startswith("pack"):
        e = 16 if op.endswith("wb") else 32
        return v(e // 2), [v(e)] * 2
    if op == "psad":
        return v(64), [v(8)] * 2
    if op == "pblendvb":
        return v(8), [v(8)] * 3
    if op == "pternlog":
        return v(ELEM[tail]), [v(ELEM[tail])] * 3 + ["i32"]
    e = 8 if op == "pshuf" else 16 if tail.endswith("sw") else ELEM[tail]
    return v(e), [v(e)] * 2


def lanes_of(ty: str) -> tuple[int, int]:
    """`<8 x i16>` -> (8, 16); `i32` -> (1, 32)."""
    n, e = ty[1:-1].split(" x i") if ty.startswith("<") else (1, ty[1:])
    return int(n), int(e)


def plain(name: str, imm: int | None = None) -> str:
    """The bare call; `imm` is the constant last argument (pternlog's)."""
    ret, args = shape(name)
    n = len(args) - (imm is not None)
    params = ", ".join(f"{t} %x{j}" for j, t in enumerate(args[:n]))
    actual = params + ("" if imm is None else f", i32 {imm}")
    return (f"declare {ret} @{name}({', '.join(args)})\n"
            f"define {ret} @f({params}) {{\n  %r = call {ret} @{name}({actual})\n"
            f"  ret {ret} %r\n}}\n")


def wrapper(name: str, imm: int | None = None) -> str:
    """i64 chunks in, chunk %k of the result out (i32 arguments stay i32)."""
    ret, args = shape(name)
    params, body, call = [], [], []
    for j, t in enumerate(args[:len(args) - (imm is not None)]):
        n, e = lanes_of(t)
        call.append(f"{t} %x{j}")
        if not t.startswith("<"):
            params.append(f"{t} %x{j}")
            continue
        chunks = n * e // 64
        prev = "poison"
        for c in range(chunks):
            params.append(f"i64 %x{j}_{c}")
            body.append(f"%v{j}_{c} = insertelement <{chunks} x i64> {prev}, i64 %x{j}_{c}, i64 {c}")
            prev = f"%v{j}_{c}"
        body.append(f"%x{j} = bitcast <{chunks} x i64> {prev} to {t}")
    n, e = lanes_of(ret)
    chunks = n * e // 64
    call += [] if imm is None else [f"i32 {imm}"]
    body += [f"%r = call {ret} @{name}({', '.join(call)})",
             f"%rv = bitcast {ret} %r to <{chunks} x i64>",
             f"%e = extractelement <{chunks} x i64> %rv, i64 %k", "ret i64 %e"]
    return (f"declare {ret} @{name}({', '.join(args)})\n"
            f"define i64 @w({', '.join(params)}, i64 %k) #0 {{\n  " + "\n  ".join(body)
            + f"\n}}\nattributes #0 = {{ \"target-features\"=\"{FEATURES}\" }}\n")


def to_chunks(values: list[int], e: int) -> list[int]:
    per = 64 // e
    return [sum(values[c * per + i] << (i * e) for i in range(per))
            for c in range(len(values) // per)]


def from_chunks(chunks: list[int], e: int) -> list[int]:
    per, mask = 64 // e, (1 << e) - 1
    return [(c >> (i * e)) & mask for c in chunks for i in range(per)]


def lane_value(rng: random.Random, e: int) -> int:
    if rng.random() < 0.3:
        return rng.choice([0, 1, (1 << e) - 1, 1 << (e - 1), (1 << (e - 1)) - 1,
                           (1 << (e - 1)) + 1, (1 << e) - 2]) % (1 << e)
    return rng.getrandbits(e)


def count_value(rng: random.Random, lane: int, bits: int) -> int:
    """Shift counts: 0, lane-1, lane, lane+1, 2^63 (or the top bit), small, huge."""
    return rng.choice([0, 1, lane - 1, lane, lane + 1, 1 << (bits - 1), rng.randrange(lane),
                       rng.randrange(lane), rng.randrange(2 * lane), rng.getrandbits(bits)])


def random_args(rng: random.Random, name: str) -> list[list[int]]:
    op = name.split(".")[3]
    _, args = shape(name)
    args = args[:3] if op == "pternlog" else args
    out = []
    for j, t in enumerate(args):
        n, e = lanes_of(t)
        vals = [lane_value(rng, e) for _ in range(n)]
        if j == 1 and op in ("psrl", "psra", "psll"):
            vals[:64 // e] = from_chunks([count_value(rng, lanes_of(args[0])[1], 64)], e)
        elif j == 1 and op in ("psrli", "psrai", "pslli"):
            vals = [count_value(rng, lanes_of(args[0])[1], 32)]
        elif j == 1 and op in ("psrlv", "psllv", "psrav"):
            vals = [count_value(rng, e, e) for _ in range(n)]
        out.append(vals)
    return out


def host_supports(name: str) -> bool:
    import llvmlite.binding as llvm
    need = {"sse2": [], "ssse3": ["ssse3"], "sse41": ["sse4.1"], "avx2": ["avx2"],
            "avx512": ["avx512f", "avx512bw", "avx512vl"]}[name.split(".")[2]]
    return all(llvm.get_host_cpu_features().get(f, False) for f in need)


SAMPLES = 256


class FastRunner:
    """`ConcreteRunner`'s terms with all (poison-free) input lanes read from one
    bit-vector: one substitution per run instead of one pair per lane."""

    def __init__(self, runner: ConcreteRunner):
        n = runner.n_lanes
        ub, _, *rest = runner.terms
        flags = [z3.If(b, z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)) for b in [ub] + rest[:n]]
        self.widths = [v.size() for v in rest[n:]]
        self.in_widths = runner.widths()
        self.x = z3.BitVec("x86:inputs", sum(self.in_widths))
        pairs, lo = [], 0
        for iv, w in zip(runner.inputs.vars, self.in_widths):
            pairs += [(iv.value, z3.Extract(lo + w - 1, lo, self.x)), (iv.poison, z3.BoolVal(0))]
            lo += w
        self.term = z3.substitute(z3.Concat(*flags, *rest[n:]), *pairs)

    def run(self, flat: list[int]) -> list[int | None] | None:
        """The result lanes (None = poison), or None where the call is UB."""
        packed, lo = 0, 0
        for value, w in zip(flat, self.in_widths):
            packed |= (value % (1 << w)) << lo
            lo += w
        x = z3.BitVecVal(packed, self.x.size())
        bits = z3.simplify(z3.substitute(self.term, (self.x, x))).as_long()
        out = []
        for w in reversed(self.widths):
            out.append(bits & ((1 << w) - 1))
            bits >>= w
        out.reverse()
        poison = [(bits >> k) & 1 for k in range(len(out))][::-1]
        if bits >> len(out):
            return None
        return [None if p else v for p, v in zip(poison, out)]


def agree_with_the_cpu(name: str, samples: int, imm: int | None = None) -> None:
    if not host_supports(name):
        pytest.skip(f"this CPU lacks {name.split('.')[2]}")
    fast = FastRunner(ConcreteRunner(function(plain(name, imm))))
    wrap = function(wrapper(name, imm), "w")
    ret, args = shape(name)
    n_out, e_out = lanes_of(ret)
    rng = random.Random(f"x86:{name}:{imm}")
    for _ in range(samples):
        vals = random_args(rng, name)
        ours = fast.run([x for v in vals for x in v])
        assert ours is not None and None not in ours
        scalars = [x for v, t in zip(vals, args)
                   for x in (to_chunks(v, lanes_of(t)[1]) if t.startswith("<") else v)]
        cpu = [jit.run(wrap, scalars + [k]) for k in range(n_out * e_out // 64)]
        assert from_chunks(cpu, e_out) == ours, (name, imm, vals)


@pytest.mark.parametrize("name", [n for n in X86 if ".pternlog." not in n])
def test_semantics_agree_with_the_cpu(name):
    agree_with_the_cpu(name, SAMPLES)


@pytest.mark.parametrize("name", [n for n in X86 if ".pternlog." in n])
def test_ternary_logic_agrees_with_the_cpu(name):
    # constants, a, b, c, and, or, xor, majority, select, nand, and a few others
    for imm in [0x00, 0xFF, 0xF0, 0xCC, 0xAA, 0x80, 0xFE, 0x96, 0xE8, 0xCA, 0x7F, 0x1B, 0x6C]:
        agree_with_the_cpu(name, 25, imm)


@pytest.mark.parametrize("name", ["llvm.x86.ssse3.pshuf.b.128", "llvm.x86.sse2.psrl.w",
                                  "llvm.x86.sse2.packsswb.128"])
def test_fast_runner_is_the_interpreter(name):
    """The CPU comparison's shortcut answers as `evaluate` does."""
    runner = ConcreteRunner(function(plain(name)))
    fast = FastRunner(runner)
    rng = random.Random(7)
    for _ in range(3):
        vals = random_args(rng, name)
        assert fast.run([x for v in vals for x in v]) == evaluate(runner.fn, vals).value


def test_every_alive2_x86_intrinsic_is_registered():
    """Alive2's 136 names plus pternlog (6), pmulhrsw (3), SSE4.1 pblendvb."""
    for name in ["llvm.x86.avx512.psra.q.128", "llvm.x86.avx2.psrlv.d", "llvm.x86.sse41.packusdw",
                 "llvm.x86.avx512.pmaddubs.w.512", "llvm.x86.ssse3.pmadd.ub.sw.128",
                 "llvm.x86.avx512.pternlog.q.256", "llvm.x86.avx2.pblendvb"]:
        assert name in INTRINSICS, name
    assert len(X86) == 146 and "llvm.x86.sse2.pmovmskb.128" not in X86  # stays unsupported


# ---------------------------------------------------------------- hand-checked values

def call(name: str, *args) -> list:
    """The result lanes of `name` on lane lists (ints or P), zero-padded."""
    _, types = shape(name)
    full = [list(a) + [0] * (lanes_of(t)[0] - len(a)) if t.startswith("<") else a
            for a, t in zip(args, types)]
    out = evaluate(function(plain(name)), full)
    assert not out.ub
    return out.value


A16 = [0x8001, 0xFFFF, 1, 0x1234, 0, 0x7FFF, 0x8000, 2]
SIGN = [0xFFFF, 0xFFFF, 0, 0, 0, 0, 0xFFFF, 0]


@pytest.mark.parametrize("op,count,expected", [
    ("psrl", 0, A16), ("psrl", 15, [1, 1, 0, 0, 0, 0, 1, 0]), ("psrl", 16, [0] * 8),
    ("psrl", 17, [0] * 8), ("psrl", 1 << 63, [0] * 8), ("psrl", 1 << 16, [0] * 8),
    ("psra", 1, [0xC000, 0xFFFF, 0, 0x091A, 0, 0x3FFF, 0xC000, 1]), ("psra", 15, SIGN),
    ("psra", 16, SIGN), ("psra", 1 << 63, SIGN)])
def test_shift_counts_from_the_low_64_bits(op, count, expected):
    """Counts of the lane width or more zero the lane or fill it with the sign."""
    name = f"llvm.x86.sse2.{op}.w"
    assert call(name, A16, from_chunks([count], 16) + [1, 2, 3, 4]) == expected


def test_psll_q_and_scalar_counts():
    a = [1, 0x8000000000000001]
    assert [call("llvm.x86.sse2.psll.q", a, [c, 0]) for c in (63, 64)] == [[1 << 63] * 2, [0, 0]]
    d = [0x80000000, 0x7FFFFFFF, 5, 0xFFFFFFFF]
    for c in (31, 32, 0xFFFFFFFF):
        assert call("llvm.x86.sse2.psrai.d", d, c) == [0xFFFFFFFF, 0, 0, 0xFFFFFFFF]
    assert call("llvm.x86.sse2.psrli.d", d, 31) == [1, 0, 0, 1]
    assert call("llvm.x86.sse2.psrli.d", d, 32) == [0, 0, 0, 0]
    assert call("llvm.x86.sse2.pslli.d", d, 0) == d


def test_per_lane_shifts():
    counts = [0, 31, 32, 0xFFFFFFFF]
    assert call("llvm.x86.avx2.psllv.d", [1] * 4, counts) == [1, 0x80000000, 0, 0]
    assert call("llvm.x86.avx2.psrav.d", [0x80000000] * 4, counts) == [
        0x80000000, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]
    assert call("llvm.x86.avx2.psrlv.d", [0x80000000] * 4, counts) == [0x80000000, 1, 0, 0]


def test_rounding_average_sign_and_high_multiply():
    assert call("llvm.x86.sse2.pavg.b", [255, 0, 0, 1, 254], [255, 1, 0, 2, 255])[:5] == [
        255, 1, 0, 2, 255]
    assert call("llvm.x86.ssse3.psign.w.128", [5, 5, 5, 0x8000, 0x8000, 7, 0, 1],
                [1, 0, 0xFFFF, 0xFFFF, 1, 0x8000, 0xFFFF, 0x7FFF]) == [
        5, 0, 0xFFFB, 0x8000, 0x8000, 0xFFF9, 0, 1]
    a, b = [0xFFFF, 0x8000, 0x7FFF], [0xFFFF, 0x8000, 0x8000]
    assert call("llvm.x86.sse2.pmulh.w", a, b)[:3] == [0, 0x4000, 0xC000]
    assert call("llvm.x86.sse2.pmulhu.w", a, b)[:3] == [0xFFFE, 0x4000, 0x3FFF]
    assert call("llvm.x86.ssse3.pmul.hr.sw.128", [0x4000, 0x8000, 0x7FFF, 0xFFFF],
                [0x4000, 0x8000, 0x7FFF, 1])[:4] == [0x2000, 0x8000, 0x7FFE, 0]


def test_horizontal_pairs_saturate_and_keep_128_bit_blocks():
    a = [0x7FFF, 1, 0x8000, 0xFFFF, 2, 3, 0x7FFF, 0x7FFF]
    b = [1, 2, 3, 4, 5, 6, 7, 8]
    assert call("llvm.x86.ssse3.phadd.sw.128", a, b) == [0x7FFF, 0x8000, 5, 0x7FFF, 3, 7, 11, 15]
    assert call("llvm.x86.ssse3.phadd.w.128", a, b)[:4] == [0x8000, 0x7FFF, 5, 0xFFFE]
    assert call("llvm.x86.ssse3.phsub.sw.128", [0x8000, 1, 0x7FFF, 0xFFFF, 5, 3], b)[:3] == [
        0x8000, 0x7FFF, 2]
    assert call("llvm.x86.avx2.phadd.d", list(range(1, 9)), [10 * k for k in range(1, 9)]) == [
        3, 7, 30, 70, 11, 15, 110, 150]


def test_multiply_add():
    assert call("llvm.x86.ssse3.pmadd.ub.sw.128", [255, 255, 255, 255, 1, 2, 0x80, 0],
                [127, 127, 0x80, 0x80, 3, 4, 0xFF, 0])[:4] == [0x7FFF, 0x8000, 11, 0xFF80]
    assert call("llvm.x86.sse2.pmadd.wd", [0x8000, 0x8000, 2, 3, 0xFFFF, 1],
                [0x8000, 0x8000, 4, 5, 2, 0]) == [0x80000000, 23, 0xFFFFFFFE, 0]


def test_packs_saturate_in_128_bit_blocks():
    a = [300, -300 & 0xFFFF, 127, 0xFF80, 128, -129 & 0xFFFF, 0, 1]
    assert call("llvm.x86.sse2.packsswb.128", a, [0x7FFF, 0x8000, 5]) == [
        127, 0x80, 127, 0x80, 127, 0x80, 0, 1, 127, 0x80, 5, 0, 0, 0, 0, 0]
    assert call("llvm.x86.sse2.packuswb.128", a, [0x7FFF, 0x8000, 5]) == [
        255, 0, 127, 0, 128, 0, 0, 1, 255, 0, 5, 0, 0, 0, 0, 0]
    assert call("llvm.x86.avx2.packssdw", list(range(8)), list(range(10, 18))) == [
        0, 1, 2, 3, 10, 11, 12, 13, 4, 5, 6, 7, 14, 15, 16, 17]


def test_sum_of_absolute_differences():
    assert call("llvm.x86.sse2.psad.bw", list(range(16)), list(range(15, -1, -1))) == [64, 64]
    assert call("llvm.x86.sse2.psad.bw", [255] * 16, [0] * 16) == [2040, 2040]


def test_byte_shuffle_and_blend():
    a = [10 + i for i in range(32)]
    mask = [15, 0x80, 0x8F, 0x10, 0x11, 3]
    assert call("llvm.x86.ssse3.pshuf.b.128", a[:16], mask)[:6] == [25, 0, 0, 10, 11, 13]
    # AVX2: each 128-bit block indexes its own 16 bytes
    assert call("llvm.x86.avx2.pshuf.b", a, [0] * 16 + [0, 15])[15:18] == [10, 26, 41]
    assert call("llvm.x86.avx2.pblendvb", [1] * 32, [2] * 32, [0x80, 0x7F, 0xFF])[:4] == [
        2, 1, 2, 1]


# ---------------------------------------------------------------- poison (P)

def test_a_poison_count_poisons_every_lane():
    assert call("llvm.x86.sse2.psrl.w", A16, [0, 0, 0, P, 0, 0, 0, 0]) == [P] * 8
    assert call("llvm.x86.sse2.psrl.w", A16, [0, 0, 0, 0, P, 0, 0, 0]) == A16
    assert call("llvm.x86.sse2.psrl.w", [1, 2, P], [1]) == [0, 1, P, 0, 0, 0, 0, 0]
    assert call("llvm.x86.sse2.psrli.d", [1, 2, 3, 4], P) == [P] * 4
    assert call("llvm.x86.avx2.psrlv.d", [2, 2, 2, 2], [1, P, 0, 0]) == [1, P, 2, 2]


def test_poison_follows_the_lanes_a_result_is_computed_from():
    assert call("llvm.x86.ssse3.phadd.w.128", [1, P, 2, 3], [0] * 8)[:3] == [P, 5, 0]
    assert call("llvm.x86.sse2.pmadd.wd", [1] * 8, [1, 1, 1, P]) == [2, P, 0, 0]
    out = call("llvm.x86.sse2.packsswb.128", [1, 1, P], [P])
    assert out[2] is P and out[8] is P and out.count(P) == 2
    assert call("llvm.x86.sse2.psad.bw", [0] * 9 + [P], [1] * 16) == [8, P]


def test_selects_take_poison_from_the_lanes_they_index_as_alive2_does():
    a = [0, 0, 0, 0, 0, P] + [0] * 10
    assert call("llvm.x86.ssse3.pshuf.b.128", a, [5, 0x85, 4, P])[:4] == [P, P, 0, P]
    assert call("llvm.x86.avx2.pblendvb", [1] * 32, [P] * 32, [0])[:1] == [P]


# ---------------------------------------------------------------- rewrites (as alive-tv answers)

def rewrite(ty: str, src: str, tgt: str, name: str, noundef: str = "") -> V.Verdict:
    """@src and @tgt of one `ty %x` argument, each body `%r = ...; ret %r`."""
    _, args = shape(name)
    fns = [f"define {ty} @{n}({ty} {noundef}%x) {{\n  %r = {b}\n  ret {ty} %r\n}}\n"
           for n, b in (("src", src), ("tgt", tgt))]
    return verify_ir("".join(fns) + f"declare {ty} @{name}({', '.join(args)})\n")


def test_rewrites_proved_and_refuted():
    psra, v8 = "llvm.x86.sse2.psra.w", "<8 x i16>"
    by16 = f"call {v8} @{psra}({v8} %x, {v8} <i16 16, i16 0, i16 0, i16 0, {', '.join(['i16 7'] * 4)}>)"
    assert rewrite(v8, by16, f"ashr {v8} %x, splat (i16 15)", psra).status is V.Status.CORRECT
    wrong = rewrite(v8, by16, f"or {v8} zeroinitializer, zeroinitializer", psra)
    assert wrong.status is V.Status.INCORRECT and wrong.error == V.ERR_VALUE
    pavg, v16 = "llvm.x86.sse2.pavg.b", "<16 x i8>"
    same = rewrite(v16, f"call {v16} @{pavg}({v16} %x, {v16} %x)", f"or {v16} %x, %x", pavg,
                   "noundef ")
    assert same.status is V.Status.CORRECT


def test_zeroing_pshufb_is_not_a_refinement_of_a_shuffle_with_zero():
    """alive-tv agrees: the pshufb lane reads a's poison even where the
    mask's high bit zeroes it, so the target is more poisonous."""
    mask = ", ".join(f"i8 {128 if k == 0 else k}" for k in range(16))
    idx = ", ".join(f"i32 {16 if k == 0 else k}" for k in range(16))
    name, v16 = "llvm.x86.ssse3.pshuf.b.128", "<16 x i8>"
    v = rewrite(v16, f"shufflevector {v16} %x, {v16} zeroinitializer, <16 x i32> <{idx}>",
                f"call {v16} @{name}({v16} %x, {v16} <{mask}>)", name)
    assert v.status is V.Status.INCORRECT and v.error == V.ERR_POISON
