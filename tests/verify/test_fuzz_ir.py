"""IR-level differential fuzzing with the poison-aware interpreter."""
from pathlib import Path

import pytest
from veriopt.limits import Limits
from veriopt.verify import verdict as V
from veriopt.verify.fuzz_ir import ConcreteRunner, fuzz_file, fuzz_pair, fuzz_texts

from helpers import function

CORPUS = Path(__file__).parent.parent.parent / "veriopt" / "corpus" / "verify"


def test_runner_sees_poison_that_the_jit_cannot():
    fn = function("define i8 @f(i8 %a) {\n  %r = lshr exact i8 %a, 3\n  ret i8 %r\n}\n")
    run = ConcreteRunner(fn)
    assert run.run([41]).value == [None]
    assert run.run([40]).value == [5]


@pytest.mark.parametrize("name,kind", [
    ("sdiv-pow2-wrong.ll", V.ERR_VALUE),
    ("lshr-exact-poison.ll", V.ERR_POISON),
    ("add-nsw-added.ll", V.ERR_POISON),
    ("div-hoisted.ll", V.ERR_UB),
    ("abs-poison-flag.ll", V.ERR_POISON),
    ("vector8-sdiv-wrong.ll", V.ERR_VALUE),
])
def test_fuzzing_finds_the_known_bugs(name, kind):
    v = fuzz_file(str(CORPUS / name), examples=3000, time_budget=20)
    assert v.status is V.Status.INCORRECT and v.error == kind
    assert v.counterexample.inputs


@pytest.mark.parametrize("name", ["udiv-pow2.ll", "mul2-to-shl.ll", "rotate-idiom.ll",
                                  "select-to-umin.ll"])
def test_correct_rewrites_survive_and_are_never_called_correct(name):
    v = fuzz_file(str(CORPUS / name), examples=300)
    assert v.status is V.Status.UNKNOWN
    assert v.reason.startswith("no counterexample in ")


def test_nondeterministic_source_inputs_are_discarded():
    src = function("define i8 @src(i8 %x) {\n  %f = freeze i8 poison\n  ret i8 %f\n}\n", "src")
    tgt = function("define i8 @tgt(i8 %x) {\n  ret i8 5\n}\n", "tgt")
    v = fuzz_pair(src, tgt, examples=50)
    assert v.status is V.Status.UNKNOWN and v.reason == "no counterexample in 0 runs"


def test_two_ir_texts_are_fuzzed_within_a_runs_limits():
    """The gate's entry: module texts in, the limits' example count honoured."""
    src = "define i8 @f(i8 %a) {\n  %r = udiv i8 %a, 2\n  ret i8 %r\n}\n"
    wrong = "define i8 @f(i8 %a) {\n  %r = ashr i8 %a, 1\n  ret i8 %r\n}\n"
    right = "define i8 @f(i8 %a) {\n  %r = lshr i8 %a, 1\n  ret i8 %r\n}\n"
    found = fuzz_texts(src, wrong, "f", Limits(fuzz_examples=500))
    assert (found.status, found.error) == (V.Status.INCORRECT, V.ERR_VALUE)
    assert found.counterexample.inputs
    kept = fuzz_texts(src, right, "f", Limits(fuzz_examples=200), seconds=30)
    assert kept.status is V.Status.UNKNOWN and kept.reason.startswith("no counterexample in ")
    assert int(kept.reason.split()[3]) <= 200
    missing = fuzz_texts(src, right, "g", Limits())
    assert missing.status is V.Status.UNSUPPORTED
