"""Floating point in the IR verifier: constants as LLVM prints them, NaN
payloads as LangRef allows them, fast-math flags, and known-correct and
known-incorrect rewrites (each checked by hand; where alive-tv decides
them within its timeout, alive-tv agrees — noted `alive-tv`)."""
from __future__ import annotations

from fractions import Fraction

import pytest
import z3
from helpers import function

from veriopt.ir.types import FloatType
from veriopt.translation.ir_smt.evaluate import evaluate
from veriopt.translation.ir_smt.fp_values import (
    const_bits,
    encode,
    format_fp,
    without_ieee_bv,
)
from veriopt.verify import verdict as V
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

FLOAT, DOUBLE, HALF = FloatType("float"), FloatType("double"), FloatType("half")


def test_constants_in_every_form_llvm_prints():
    assert const_bits("1.000000e+00", FLOAT) == 0x3F800000
    assert const_bits("-0.000000e+00", DOUBLE) == 1 << 63
    assert const_bits("0x3FF0000000000000", FLOAT) == 0x3F800000       # float as a double
    assert const_bits("0x7FF0000020000000", FLOAT) == 0x7F800001       # sNaN payload kept
    assert const_bits("0x36A0000000000000", FLOAT) == 0x00000001       # least subnormal
    assert const_bits("0xH3C00", HALF) == 0x3C00
    assert const_bits("0xR3F80", FloatType("bfloat")) == 0x3F80
    assert const_bits("0xL00000000000000003FFF000000000000", FloatType("fp128")) == 0x3FFF << 112
    assert encode(Fraction(1, 3), 8, 24) == 0x3EAAAAAB                  # ties and rounding
    assert encode(Fraction(2**24 + 1), 8, 24) == 0x4B800000             # half-way: to even
    assert encode(Fraction(2**128), 8, 24) == 0x7F800000                # beyond max: inf


def test_values_shown_as_alive_tv_shows_them():
    assert format_fp(0x3F800000, FLOAT) == "#x3f800000 (1.0)"
    assert format_fp(0x80000000, FLOAT) == "#x80000000 (-0.0)"
    assert format_fp(0xFF800000, FLOAT) == "#xff800000 (-oo)"
    assert format_fp(0x7FC00000, FLOAT) == "#x7fc00000 (QNaN)"
    assert format_fp(0x7F800001, FLOAT) == "#x7f800001 (SNaN)"
    assert format_fp(0x3555, HALF) == "#x3555 (0.333251953125)"
    assert format_fp(0x3FB999999999999A, DOUBLE) == "#x3fb999999999999a (0.100000000000?)"


def run(body: str, args: list, ret: str = "float", params: str = "float %a, float %b"):
    fn = function(f"define {ret} @f({params}) {{\n  {body}\n  ret {ret} %r\n}}\n")
    return evaluate(fn, args).value[0]


def test_concrete_values_checked_by_hand():
    assert run("%r = fadd float %a, %b", [0x3F800000, 0x3F800000]) == 0x40000000     # 1 + 1
    assert run("%r = fadd float %a, %b", [0x80000000, 0x80000000]) == 0x80000000     # -0 + -0
    assert run("%r = fsub float %a, %b", [0x3F800000, 0x3F800000]) == 0x00000000     # +0
    assert run("%r = fneg float %a", [0x7FC00001, 0]) == 0xFFC00001                  # payload kept
    assert run("%r = frem float %a, %b", [0xC0A00000, 0x40400000]) == 0xC0000000     # -5 % 3 = -2
    assert run("%r = fmul nnan float %a, %b", [0x7F800000, 0]) is None                # inf*0: NaN
    assert run("%r = fptosi float %a to i8", [0x43000000], "i8", "float %a") is None  # 128
    assert run("%r = fptosi float %a to i8", [0xC3000000], "i8", "float %a") == 0x80  # -128
    assert run("%r = fptoui float %a to i8", [0xBF000000], "i8", "float %a") == 0     # -0.5
    assert run("%r = uitofp nneg i8 %a to float", [0x80], "float", "i8 %a") is None
    assert run("%r = fptrunc double %a to half", [0x3FF0000000000000], "half", "double %a") == 0x3C00
    nan = run("%r = fadd float %a, %b", [0x7F800000, 0xFF800000])                   # inf - inf
    assert nan & 0x7F800000 == 0x7F800000 and nan & 0x7FFFFF
    assert run("%c = fcmp ueq float %a, %b\n  %r = zext i1 %c to i8", [0x7FC00000, 0],
               "i8") == 1


def verify(text: str, **opts) -> V.Verdict:
    return verify_ir(text, options=VerifyOptions(**opts))


def pair(sig: str, src: str, tgt: str) -> str:
    """`sig` is `ret(params)`; each body defines %r."""
    ret, params = sig.rstrip(")").split("(")
    return (f"define {ret} @src({params}) {{\n  {src}\n  ret {ret} %r\n}}\n"
            f"define {ret} @tgt({params}) {{\n  {tgt}\n  ret {ret} %r\n}}\n")


OK, BAD = V.Status.CORRECT, V.Status.INCORRECT
CASES = [
    # x + -0.0 is x (even for -0.0 and NaN payloads); x + 0.0 is not (-0.0). alive-tv
    ("float(float %x)", "%r = fadd float %x, -0.0", "%r = select i1 true, float %x, float %x", OK),
    ("float(float %x)", "%r = fadd float %x, 0.0", "%r = fadd float %x, -0.0", BAD),
    ("float(float %x)", "%r = fadd nsz float %x, 0.0", "%r = fadd float %x, -0.0", OK),       # alive-tv
    ("float(float %x)", "%r = fmul nnan float %x, 0.0", "%r = fadd float 0.0, 0.0", BAD),      # -x*0
    ("float(float %x)", "%r = fmul nnan nsz float %x, 0.0", "%r = fadd float 0.0, 0.0", OK),  # alive-tv
    ("i1(i1 %x, double %y)", "%r = fcmp oeq double %y, %y", "%r = fcmp ord double %y, 0.0", OK),
    ("i1(i1 %x, float %y)", "%c = fcmp oge float %y, 1.0\n  %r = xor i1 %c, true",
     "%r = fcmp ult float %y, 1.0", OK),                                                # alive-tv
    ("i1(i1 %x, float %y)", "%c = fcmp oge float %y, 1.0\n  %r = xor i1 %c, true",
     "%r = fcmp olt float %y, 1.0", BAD),                                               # NaN
    ("i8(i8 %x)", "%r = fptosi float 1.0e+02 to i8", "%r = add i8 100, 0", OK),
    ("i32(i32 %x)", "%f = uitofp i32 %x to float\n  %r = fptoui float %f to i32",
     "%r = add i32 %x, 0", BAD),                                                        # alive-tv
    ("float(float %x)", "%r = fdiv float %x, 2.0", "%r = fmul float %x, 5.000000e-01", OK),   # exact
    ("float(float %x)", "%r = call float @llvm.floor.f32(float %x)",
     "%r = call float @llvm.trunc.f32(float %x)", BAD),                                # alive-tv
    ("float(float %x)", "%d = fpext float %x to double\n  %r = fptrunc double %d to float",
     "%r = fadd float %x, -0.0", OK),
    ("double(double %x)", "%d = fptrunc double %x to float\n  %r = fpext float %d to double",
     "%r = fadd double %x, -0.0", BAD),                                                 # alive-tv
    ("i1(i1 %x, half %y)", "%r = call i1 @llvm.is.fpclass.f16(half %y, i32 3)",
     "%r = fcmp uno half %y, 0xH0000", OK),                                             # alive-tv
    ("i32(i32 %x, float %y)", "%f = fneg float %y\n  %r = bitcast float %f to i32",
     "%i = bitcast float %y to i32\n  %r = xor i32 %i, -2147483648", OK),               # alive-tv
    ("float(float %x, float %y)", "%r = call float @llvm.maximum.f32(float %x, float %y)",
     "%c = fcmp ogt float %x, %y\n  %r = select i1 %c, float %x, float %y", BAD),      # alive-tv
    # a NaN result's payload: the preferred one, an operand's, or the target's own
    ("float(float %x)", "%r = fadd float %x, 0x7FF8000020000000",
     "%r = fadd float 0x7FF8000000000000, 0.0", OK),                                    # alive-tv
    ("float(float %x)", "%r = fadd float %x, 0x7FF8000020000000",
     "%r = fadd float 0x7FFC000000000000, -0.0", BAD),                                  # alive-tv
]


@pytest.mark.parametrize("sig, src, tgt, expected", CASES)
def test_rewrites(sig, src, tgt, expected):
    v = verify(pair(sig, src, tgt), timeout=20)
    assert v.status is expected, v.render()


def test_fast_math_approximations_are_not_guessed():
    v = verify(pair("float(float %x, float %y)", "%r = fadd reassoc float %x, %y",
                    "%r = fadd reassoc float %x, %y"))
    assert v.status is V.Status.UNSUPPORTED and "reassoc" in v.render()
    # on an operation that does not round, the flag changes nothing
    assert verify(pair("float(float %x)", "%r = fneg fast float %x", "%r = fneg float %x")).status \
        is V.Status.CORRECT


CONSTRAINED = ("declare float @llvm.experimental.constrained.fadd.f32(float, float, metadata, "
               "metadata)\n")


@pytest.mark.parametrize("mode, expected", [("round.tonearest", V.Status.CORRECT),   # alive-tv
                                            ("round.upward", V.Status.INCORRECT),     # alive-tv
                                            ("round.dynamic", V.Status.INCORRECT)])
def test_constrained_rounding_modes(mode, expected):
    """A static mode the environment does not have is poison (Alive2); the
    dynamic mode is the environment's, which may be any."""
    call = (f"%r = call float @llvm.experimental.constrained.fadd.f32(float %x, float 1.0, "
            f'metadata !"{mode}", metadata !"fpexcept.ignore")')
    assert verify(pair("float(float %x)", call, "%r = fadd float %x, 1.0") + CONSTRAINED).status \
        is expected
    strict = call.replace("fpexcept.ignore", "fpexcept.strict")
    assert verify(pair("float(float %x)", strict, "%r = fadd float %x, 1.0") + CONSTRAINED).status \
        is V.Status.UNSUPPORTED


def test_nofpclass_makes_excluded_values_poison():
    text = ("define i1 @src(float nofpclass(nan) %x) {\n  %r = fcmp oeq float %x, %x\n  ret i1 %r\n}\n"
            "define i1 @tgt(float nofpclass(nan) %x) {\n  ret i1 true\n}\n")
    assert verify(text).status is V.Status.CORRECT


def test_unmodelled_fp_environment_is_refused():
    text = ("define float @src(float %x) #0 {\n  %r = fadd float %x, -0.0\n  ret float %r\n}\n"
            "define float @tgt(float %x) #0 {\n  ret float %x\n}\n"
            'attributes #0 = { "denormal-fp-math"="preserve-sign,preserve-sign" }\n')
    assert verify(text).status is V.Status.UNSUPPORTED
    x86 = ("define x86_fp80 @src(x86_fp80 %x) {\n  ret x86_fp80 %x\n}\n"
           "define x86_fp80 @tgt(x86_fp80 %x) {\n  ret x86_fp80 %x\n}\n")
    assert "x86_fp80" in verify(x86).render()


def test_solver_form_without_ieee_bv_is_equisatisfiable():
    x = z3.BitVec("x", 32)
    f = z3.fpBVToFP(x, z3.Float32())
    r = z3.fpAdd(z3.RNE(), f, f)
    phi = z3.And(z3.Not(z3.fpIsNaN(r)), z3.fpToIEEEBV(r) != x, x == 0x3F800000)
    s = z3.Solver()
    s.add(without_ieee_bv(phi))
    assert s.check() == z3.sat
    s = z3.Solver()
    s.add(without_ieee_bv(z3.And(phi, z3.fpToIEEEBV(r) != 0x40000000)))
    assert s.check() == z3.unsat


def test_fast_math_flags_on_phi_and_select():
    def phi(flags_src: str, flags_tgt: str) -> str:
        body = ("entry:\n  br i1 %c, label %a, label %b\na:\n  br label %b\nb:\n"
                "  %r = phi {} float [ %x, %entry ], [ 1.0, %a ]\n  ret float %r\n")
        return (f"define float @src(i1 %c, float %x) {{\n{body.format(flags_src)}}}\n"
                f"define float @tgt(i1 %c, float %x) {{\n{body.format(flags_tgt)}}}\n")
    assert verify(phi("nnan", "")).status is V.Status.CORRECT
    v = verify(phi("", "nnan"))
    assert v.status is V.Status.INCORRECT and v.error == V.ERR_POISON
    sel = pair("float(i1 %c, float %x)", "%r = select nnan i1 %c, float %x, float 1.0",
               "%r = select i1 %c, float %x, float 1.0")
    assert verify(sel).status is V.Status.CORRECT
