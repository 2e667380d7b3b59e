"""The FP semantics against LLVM's JIT (float, double) and CPython's IEEE
half conversions: every operation, cast and intrinsic on special values
(±0, ±inf, quiet and signalling NaNs with payloads, subnormals, extreme
normals, values half-way between two results) and random bit patterns.

Functions take and return integers (bit patterns, bitcast inside) so the
JIT's C calling convention is unambiguous. Where the semantics says NaN,
the JIT must give a NaN (the payload is non-deterministic); where it says
poison (fptosi out of range, ...), the JIT's value says nothing.
"""
from __future__ import annotations

import math
import random
import struct

import pytest
from helpers import function

from veriopt.ir import jit
from veriopt.translation.ir_smt.evaluate import ConcreteRunner

FLOAT_SPECIAL = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC12345,
                 0x7F800001, 0x7FA00005, 0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF,
                 0xFF7FFFFF, 0x3F800000, 0xBF800000, 0x3F000000, 0x3FC00000, 0x40200000,
                 0x40600000, 0xC0200000, 0x4B000001, 0x4EFFFFFF, 0x4F000000, 0x4F800000,
                 0xCF000000, 0xCF000001, 0x501502F9, 0x3EAAAAAB, 0x33800000, 0x34000000]
DOUBLE_SPECIAL = [0, 1 << 63, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
                  0x7FF0000000000001, 0xFFF8000000000ABC, 1, 0x000FFFFFFFFFFFFF,
                  0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x3FF0000000000000,
                  0xBFF0000000000000, 0x3FE0000000000000, 0x4004000000000000,
                  0x400C000000000000, 0x41DFFFFFFFC00000, 0x41E0000000000000,
                  0xC1E0000000000000, 0x43E0000000000000, 0x3FF0000000000001,
                  0x36A0000000000000, 0x3810000000000000, 0x47EFFFFFE0000000,
                  0x47EFFFFFF0000000, 0x3FD5555555555555]
TYPES = {"float": ("i32", 32, FLOAT_SPECIAL), "double": ("i64", 64, DOUBLE_SPECIAL)}


def values(ty: str, n_random: int, rng: random.Random) -> list[int]:
    _, w, special = TYPES[ty]
    return special + [rng.getrandbits(w) for _ in range(n_random)]


def is_nan(bits: int, w: int) -> bool:
    e = {16: 5, 32: 8, 64: 11}[w]
    f = w - 1 - e
    return (bits >> f) & ((1 << e) - 1) == (1 << e) - 1 and bits & ((1 << f) - 1) != 0


def check(text: str, arg_sets: list[list[int]], ret_w: int, ret_fp: bool,
          skip=lambda args: False) -> int:
    """Where the semantics has choices (minnum of +0 and -0, fmuladd's
    fusion), the JIT's value must be one of two runs': every choice 0, or
    every choice all ones."""
    fn = function(text)
    runners = [ConcreteRunner(fn)]
    if not runners[0].deterministic:
        runners.append(ConcreteRunner(fn, choice=-1))
    compared = 0
    for args in arg_sets:
        if skip(args):
            continue
        outs = [r.run(args) for r in runners]
        assert not any(o.ub for o in outs)
        got = [o.value[0] for o in outs]
        if None in got:
            continue      # poison: the JIT's value is one of its refinements
        actual = jit.run(fn, args)
        if ret_fp and is_nan(actual, ret_w) and any(is_nan(g, ret_w) for g in got):
            pass              # a NaN: its payload is a choice
        else:
            assert actual in got, (f"{text}\nargs {[hex(a) for a in args]}: "
                                   f"semantics {[hex(g) for g in got]}, JIT {actual:#x}")
        compared += 1
    return compared


def binary_fn(ty: str, body: str, n_args: int = 2) -> str:
    ity = TYPES[ty][0]
    params = ", ".join(f"{ity} %a{k}" for k in range(n_args))
    casts = "\n".join(f"  %x{k} = bitcast {ity} %a{k} to {ty}" for k in range(n_args))
    return (f"define {ity} @f({params}) {{\n{casts}\n  {body}\n"
            f"  %i = bitcast {ty} %r to {ity}\n  ret {ity} %i\n}}\n")


def pairs(ty: str, rng: random.Random, n: int) -> list[list[int]]:
    vals = values(ty, 6, rng)
    out = [[a, b] for a in vals[::3] for b in vals[1::3]]
    return out + [[rng.choice(vals), rng.choice(vals)] for _ in range(n)]


ARITH = ["fadd", "fsub", "fmul", "fdiv", "frem"]
BIN_INTRINSICS = ["minnum", "maxnum", "minimum", "maximum", "minimumnum", "maximumnum",
                  "copysign"]
UN_INTRINSICS = ["fabs", "sqrt", "floor", "ceil", "trunc", "round", "roundeven", "rint",
                 "nearbyint", "canonicalize"]


@pytest.mark.parametrize("ty", ["float", "double"])
def test_arithmetic_and_intrinsics(ty):
    rng = random.Random(7)
    suffix = "f32" if ty == "float" else "f64"
    w = TYPES[ty][1]
    n = 0
    for op in ARITH:
        n += check(binary_fn(ty, f"%r = {op} {ty} %x0, %x1"), pairs(ty, rng, 30), w, True)
    n += check(binary_fn(ty, f"%r = fneg {ty} %x0", 1), [[v] for v in values(ty, 10, rng)], w, True)
    for name in BIN_INTRINSICS:
        body = f"%r = call {ty} @llvm.{name}.{suffix}({ty} %x0, {ty} %x1)"
        n += check(binary_fn(ty, body), pairs(ty, rng, 20), w, True)
    for name in UN_INTRINSICS:
        body = f"%r = call {ty} @llvm.{name}.{suffix}({ty} %x0)"
        n += check(binary_fn(ty, body, 1), [[v] for v in values(ty, 10, rng)], w, True)
    for name in ["fma", "fmuladd"]:
        body = f"%r = call {ty} @llvm.{name}.{suffix}({ty} %x0, {ty} %x1, {ty} %x2)"
        vals = values(ty, 4, rng)
        triples = [[rng.choice(vals) for _ in range(3)] for _ in range(40)]
        n += check(binary_fn(ty, body, 3), triples, w, True)
    assert n > 500


@pytest.mark.parametrize("ty", ["float", "double"])
def test_constrained_in_the_default_environment(ty):
    """With `round.tonearest` (the environment's mode in a concrete run),
    the constrained intrinsics compute what the plain operations do."""
    rng = random.Random(5)
    w, suffix = TYPES[ty][1], "f32" if ty == "float" else "f64"
    md = 'metadata !"round.tonearest", metadata !"fpexcept.ignore"'
    for op, n in [("fadd", 2), ("fsub", 2), ("fmul", 2), ("fdiv", 2), ("sqrt", 1), ("fma", 3)]:
        args = ", ".join(f"{ty} %x{k}" for k in range(n))
        body = f"%r = call {ty} @llvm.experimental.constrained.{op}.{suffix}({args}, {md})"
        vals = values(ty, 4, rng)
        check(binary_fn(ty, body, n), [[rng.choice(vals) for _ in range(n)] for _ in range(40)],
              w, True)


FCMP = ["false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt", "uge", "ult",
        "ule", "une", "uno", "true"]


@pytest.mark.parametrize("ty", ["float", "double"])
def test_fcmp_and_classes(ty):
    rng = random.Random(11)
    ity = TYPES[ty][0]
    suffix = "f32" if ty == "float" else "f64"
    for pred in FCMP:
        text = (f"define i8 @f({ity} %a, {ity} %b) {{\n  %x = bitcast {ity} %a to {ty}\n"
                f"  %y = bitcast {ity} %b to {ty}\n  %c = fcmp {pred} {ty} %x, %y\n"
                f"  %r = zext i1 %c to i8\n  ret i8 %r\n}}\n")
        check(text, pairs(ty, rng, 10), 8, False)
    for mask in [1, 2, 3, 4, 8, 16, 32, 64, 96, 128, 256, 512, 516, 1023, 0x1F0]:
        text = (f"define i8 @f({ity} %a) {{\n  %x = bitcast {ity} %a to {ty}\n"
                f"  %c = call i1 @llvm.is.fpclass.{suffix}({ty} %x, i32 {mask})\n"
                f"  %r = zext i1 %c to i8\n  ret i8 %r\n}}\n")
        check(text, [[v] for v in values(ty, 4, rng)], 8, False)


def test_conversions():
    rng = random.Random(13)
    for ty in ["float", "double"]:
        ity, w, _ = TYPES[ty]
        for op in ["fptosi", "fptoui"]:
            for iw in [1, 8, 32, 64]:
                text = (f"define i64 @f({ity} %a) {{\n  %x = bitcast {ity} %a to {ty}\n"
                        f"  %v = {op} {ty} %x to i{iw}\n  %r = {'zext' if iw < 64 else 'or'} "
                        f"i{iw} %v{' to i64' if iw < 64 else ', 0'}\n"
                        f"  ret i64 %r\n}}\n")
                check(text, [[v] for v in values(ty, 10, rng)], 64, False)
        for op in ["sitofp", "uitofp", "uitofp nneg"]:
            for iw in [1, 8, 32, 64]:
                text = (f"define {ity} @f(i{iw} %a) {{\n  %x = {op} i{iw} %a to {ty}\n"
                        f"  %r = bitcast {ty} %x to {ity}\n  ret {ity} %r\n}}\n")
                edge = [0, 1, (1 << iw) - 1, 1 << (iw - 1), (1 << (iw - 1)) - 1]
                ints = edge + [rng.getrandbits(iw) for _ in range(12)]
                if iw == 64:   # half-way cases of the rounding to float/double
                    ints += [(1 << 53) + 1, (1 << 54) + 2, (1 << 24) + 1, (1 << 25) + 2,
                             (1 << 24) + 3, (1 << 63) + (1 << 39)]
                check(text, [[v] for v in ints], w, True)
    ext = ("define i64 @f(i32 %a) {\n  %x = bitcast i32 %a to float\n"
           "  %d = fpext float %x to double\n  %r = bitcast double %d to i64\n  ret i64 %r\n}\n")
    check(ext, [[v] for v in values("float", 20, rng)], 64, True)
    trunc = ("define i32 @f(i64 %a) {\n  %x = bitcast i64 %a to double\n"
             "  %d = fptrunc double %x to float\n  %r = bitcast float %d to i32\n  ret i32 %r\n}\n")
    check(trunc, [[v] for v in values("double", 20, rng)], 32, True)


def _half_of(x: float) -> int:
    """CPython's IEEE half rounding (ties to even): the oracle for half,
    which this JIT cannot run without the soft-float library."""
    try:
        return struct.unpack("<H", struct.pack("<e", x))[0]
    except OverflowError:
        return 0x7C00 if x > 0 else 0xFC00


def _float_of_half(h: int) -> float:
    return struct.unpack("<e", struct.pack("<H", h))[0]


def test_half_conversions_and_arithmetic_against_cpython():
    rng = random.Random(17)
    halves = [0, 0x8000, 0x7C00, 0xFC00, 1, 0x3FF, 0x400, 0x7BFF, 0x3C00, 0x3C01, 0xB800,
              0x3555] + [rng.getrandbits(16) for _ in range(40)]
    halves = [h for h in halves if not is_nan(h, 16)]
    trunc = function("define i16 @f(i64 %a) {\n  %x = bitcast i64 %a to double\n"
                     "  %h = fptrunc double %x to half\n  %r = bitcast half %h to i16\n"
                     "  ret i16 %r\n}\n")
    run = ConcreteRunner(trunc)
    doubles = [struct.unpack("<Q", struct.pack("<d", _float_of_half(h)))[0] for h in halves]
    doubles += [0x40FFFFE000000000, 0x40FFFFF000000000, 0x3F10000000000000, 0x3E70000000000000,
                0x3E60000000000000, 0x3E68000000000000] + [rng.getrandbits(64) for _ in range(40)]
    for d in doubles:
        x = struct.unpack("<d", struct.pack("<Q", d))[0]
        got = run.run([d]).value[0]
        if math.isnan(x):
            assert is_nan(got, 16)
        else:
            assert got == _half_of(x), hex(d)
    for op, fn in [("fadd", lambda a, b: a + b), ("fsub", lambda a, b: a - b),
                   ("fmul", lambda a, b: a * b), ("fdiv", lambda a, b: a / b if b else None)]:
        f = function(f"define i16 @f(i16 %a, i16 %b) {{\n  %x = bitcast i16 %a to half\n"
                     f"  %y = bitcast i16 %b to half\n  %z = {op} half %x, %y\n"
                     f"  %r = bitcast half %z to i16\n  ret i16 %r\n}}\n")
        run = ConcreteRunner(f)
        for _ in range(60):
            a, b = rng.choice(halves), rng.choice(halves)
            expected = fn(_float_of_half(a), _float_of_half(b))   # exact in double, one rounding
            if expected is None or not math.isfinite(expected):
                continue
            assert run.run([a, b]).value[0] == _half_of(expected), (op, hex(a), hex(b))
