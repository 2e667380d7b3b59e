"""The `verify-c` and `fuzz` commands: exit codes, alive-tv wording, JSON,
and one-line errors for bad input."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from veriopt.cli import main

from c_helpers import CORPUS, write

SRC = str(CORPUS / "sdiv4_shift.orig.c")
TGT = str(CORPUS / "sdiv4_shift.rewrite.c")
OK_SRC = str(CORPUS / "mul8_shift.orig.c")
OK_TGT = str(CORPUS / "mul8_shift.rewrite.c")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_correct_pair_exits_0(capsys):
    code, out, _ = run(capsys, "verify-c", OK_SRC, OK_TGT, "--function", "f")
    assert code == 0
    assert out.strip() == "Transformation seems to be correct!"


def test_incorrect_pair_exits_1_with_example(capsys):
    code, out, _ = run(capsys, "verify-c", SRC, TGT, "--function", "f")
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == ["Transformation doesn't verify!", "ERROR: Value mismatch"]
    assert "Example:" in lines and any(line.startswith("x = ") for line in lines)
    assert "; confirmed by execution: the return values differ" in lines


def test_bounded_verdict_names_the_bound(capsys):
    src = str(CORPUS / "popcount32_loop.orig.c")
    tgt = str(CORPUS / "popcount32_loop.rewrite.c")
    code, out, _ = run(capsys, "verify-c", src, tgt, "-f", "f", "--unroll", "5")
    assert code == 4
    assert out.strip() == ("Transformation is correct up to 5 loop iterations "
                           "(bounded, not a proof)")
    code, out, _ = run(capsys, "verify-c", src, tgt, "-f", "f", "--unroll", "5", "--json")
    data = json.loads(out)
    assert code == 4 and (data["verdict"], data["bound"]) == ("bounded", 5)


def test_default_deepening_proves_a_loop_that_ends_within_the_deepest_bound(capsys):
    """The 32-bit bit-counting loop ends after at most 32 iterations: deepening
    (8, 16, 32) reaches a bound where every input finishes, which is a proof."""
    src = str(CORPUS / "popcount32_loop.orig.c")
    tgt = str(CORPUS / "popcount32_loop.rewrite.c")
    code, out, _ = run(capsys, "verify-c", src, tgt, "-f", "f")
    assert (code, out.strip()) == (0, "Transformation seems to be correct!")


def test_difference_after_the_default_bound_is_bounded_not_correct(capsys):
    src = str(CORPUS / "count_skip_100.orig.c")
    tgt = str(CORPUS / "count_skip_100.rewrite.c")
    code, out, _ = run(capsys, "verify-c", src, tgt, "-f", "f")
    assert code == 4
    assert out.startswith("Transformation is correct up to 64 loop iterations "
                          "(bounded, not a proof)\nnote: bounds tried: 8, 16, 32, 64")


def test_help_documents_bounded_deepening_and_exit_4(capsys):
    with pytest.raises(SystemExit):
        main(["verify-c", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Transformation is correct up to K loop iterations (bounded, not a proof)" in text
    assert "4 bounded" in text and "8 -> 16 -> 32 -> 64" in text
    assert "--unroll K checks exactly K iterations" in text


def test_different_names_in_one_file(capsys):
    one = str(CORPUS / "both_in_one.c")
    code, out, _ = run(capsys, "verify-c", one, "--src-fn", "rotl", "--tgt-fn", "rotl_fast")
    assert (code, out.strip()) == (0, "Transformation seems to be correct!")
    code, out, _ = run(capsys, "verify-c", one, "--src-fn", "rotl", "--tgt-fn", "rotl_bad")
    assert code == 1 and "ERROR: Source is more defined than target" in out


def test_json_output(capsys):
    code, out, _ = run(capsys, "verify-c", SRC, TGT, "--function", "f", "--json")
    data = json.loads(out)
    assert code == 1
    assert (data["verdict"], data["error"]) == ("incorrect", "Value mismatch")
    assert data["counterexample"]["replayed"]


def test_syntax_error_exits_2_with_position(capsys, tmp_path):
    bad = write(tmp_path, "bad.c", "int f(int x) {\n  return x +;\n}\n")
    code, out, err = run(capsys, "verify-c", OK_SRC, bad, "--function", "f")
    assert code == 2 and out == ""
    assert err.startswith(f"{bad}:2:") and "error: expected expression" in err
    assert "Traceback" not in err


def test_missing_function_exits_2(capsys):
    code, _, err = run(capsys, "verify-c", OK_SRC, OK_TGT, "--function", "nope")
    assert code == 2 and "no function 'nope' defined" in err


def test_different_signatures_exit_2(capsys, tmp_path):
    other = write(tmp_path, "b.c", "unsigned f(unsigned x, unsigned y) { return x; }\n")
    code, _, err = run(capsys, "verify-c", OK_SRC, other, "-f", "f")
    assert code == 2 and "have different signatures" in err


def test_missing_function_name_exits_2(capsys):
    code, _, err = run(capsys, "verify-c", OK_SRC, OK_TGT)
    assert code == 2 and "--function" in err


def test_unsupported_exits_3(capsys, tmp_path):
    src = write(tmp_path, "a.c", "int f(int x) { return x; }\n")
    tgt = write(tmp_path, "b.c", "int f(int x) {\n  float y = x;\n  return y;\n}\n")
    code, out, _ = run(capsys, "verify-c", src, tgt, "-f", "f")
    assert code == 3
    assert out.strip() == "ERROR: Unsupported: floating-point type 'float' at line 2"


def test_timeout_exits_3(capsys):
    src = str(CORPUS / "sum_unroll2.orig.c")
    tgt = str(CORPUS / "sum_unroll2.rewrite.c")
    code, out, _ = run(capsys, "verify-c", src, tgt, "-f", "sum", "--timeout", "0.05")
    assert (code, out.strip()) == (3, "ERROR: Timeout")


def test_fuzz_finds_a_difference_exits_1(capsys):
    code, out, _ = run(capsys, "fuzz", SRC, TGT, "--function", "f", "--examples", "500")
    assert code == 1
    assert out.startswith("Transformation doesn't verify!\nERROR: Value mismatch")


def test_fuzz_without_difference_is_not_a_proof(capsys):
    code, out, _ = run(capsys, "fuzz", OK_SRC, OK_TGT, "--function", "f", "--examples", "300")
    assert code == 3
    assert out.strip() == "no counterexample in 300 runs"


def test_fuzz_of_an_ir_pair(capsys, tmp_path):
    pair = write(tmp_path, "pair.ll", "define i8 @src(i8 %a) {\n  %r = mul i8 %a, 2\n  ret i8 %r\n}\n"
                 "define i8 @tgt(i8 %a) {\n  %r = shl i8 %a, 1\n  ret i8 %r\n}\n")
    code, out, _ = run(capsys, "fuzz", pair, "--examples", "200")
    assert code == 3 and out.strip().startswith("no counterexample in ")


@pytest.mark.parametrize("argv,code", [
    (["verify-c", OK_SRC, OK_TGT, "-f", "f"], 0),
    (["verify-c", SRC, TGT, "-f", "f", "--no-replay"], 1),
])
def test_installed_entry_point(argv, code):
    proc = subprocess.run([sys.executable, "-m", "veriopt.cli", *argv], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
