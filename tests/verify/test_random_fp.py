"""The floating-point side of the random IR generator (random_ir.fp,
fp_model, fp_mutations): pairs reproducible per seed, valid for LLVM 22,
constants of every class read back by LLVM as the intended bits, the
integer pairs of old seeds unchanged, and a small fixed-seed sample
against alive-tv (skipped without it).
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
from veriopt.verify import differential as D
from veriopt.verify import random_ir as R
from veriopt.verify.differential import running
from veriopt.verify.random_ir import fp_model as M

EXE, WHY = D.locate_alive_tv()
needs_alive = pytest.mark.skipif(EXE is None, reason=WHY or "alive-tv unavailable")
needs_opt = pytest.mark.skipif(R.find_opt() is None, reason="opt-22 not found")
FP = ("fp",)
SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "differential.py")


def _script(args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=120)


def test_fp_pairs_are_reproducible():
    a, b = R.pair_for(11, 4, kinds=FP), R.pair_for(11, 4, kinds=FP)
    assert a.text == b.text and a.domain == "fp"
    assert a.text != R.pair_for(11, 5, kinds=FP).text
    f1 = R.random_fp_function(random.Random("x"))
    assert f1.text() == R.random_fp_function(random.Random("x")).text()


# sha256 of pairs 0-19 of seeds 1, 2026 and "abc" as the integer-only
# generator made them before floating point was added (with opt-22's
# instcombine of LLVM 22.0; a new LLVM may fold differently)
OLD_INT_STREAM = "2c35d3cf385521a7c59234477cfec4d96cf5842eebbb555560c143fc77a12395"


@needs_opt
def test_integer_stream_unchanged_for_old_seeds():
    h = hashlib.sha256()
    for seed in (1, 2026, "abc"):
        for i in range(20):
            h.update(R.pair_for(seed, i).text.encode())
    assert h.hexdigest() == OLD_INT_STREAM


@needs_opt
def test_mixed_runs_keep_the_integer_pairs():
    fp = [i for i in range(60) if R.is_fp_pair(3, i, ("int", "fp"), 0.3)]
    assert 8 <= len(fp) <= 30, fp
    for i in range(12):
        mixed = R.pair_for(3, i, kinds=("int", "fp"), p_fp=0.3)
        if i in fp:
            assert mixed.domain == "fp"
        else:
            assert mixed.domain == "int" and mixed.text == R.pair_for(3, i).text
    assert not any(R.is_fp_pair(3, i) for i in range(60))
    assert all(R.is_fp_pair(3, i, FP) for i in range(60))


@needs_opt
def test_generated_fp_modules_are_valid_ir():
    kinds = Counter()
    for i in range(80):
        pair = R.pair_for("fpvalid", i, kinds=FP)
        kinds[pair.kind] += 1
        assert R.verify_with_opt(pair.text) is None, pair.text
        assert re.search(r"^define .*@tgt\(", pair.text, re.M), pair.text
        assert 1 <= len(pair.src.params) <= 4
    assert kinds["mutation"] > 25 and kinds["instcombine"] + kinds["O3"] > 10, kinds


def _readback(consts: list[tuple[str, str]]) -> list[int]:
    """LLVM's bits for each (type, constant text): `bitcast` folded by instcombine."""
    fns = []
    for k, (ty, text) in enumerate(consts):
        w = M.bits_of(ty)
        fns.append(f"define i{w} @c{k}() {{\n  %r = bitcast {ty} {text} to i{w}\n"
                   f"  ret i{w} %r\n}}\n")
    out = R.run_opt("\n".join(fns), "instcombine")
    got = [int(v) for v in re.findall(r"ret i\d+ (-?\d+)", out)]
    assert len(got) == len(consts), out
    return [v % (1 << M.bits_of(ty)) for v, (ty, _) in zip(got, consts)]


@needs_opt
def test_constants_of_every_class_read_back_exactly():
    cases = []
    for ty in M.FP_TYPES:
        _, e, m = M.FP_FORMATS[ty]
        top = (1 << e) - 1
        special = [M.fp_make(ty, s, x, f) for s in (0, 1) for x, f in (
            (0, 0), (top, 0), (top, 1 << (m - 1)), (top, 1), (top, (1 << (m - 1)) | 5),
            (0, 1), (0, (1 << m) - 1), (1, 0), (top - 1, (1 << m) - 1))]
        rng = random.Random(ty)
        bits = special + [R.random_fp_const(rng, ty) for _ in range(60)]
        for b in bits:
            for style in ("hex", "dec", "H"):
                cases.append((ty, b, M.fp_text(b, ty, style)))
    got = _readback([(ty, text) for ty, _, text in cases])
    wrong = [(ty, hex(b), text, hex(g)) for (ty, b, text), g in zip(cases, got) if g != b]
    assert not wrong, wrong[:10]


def test_constant_printing():
    assert M.fp_text(M.fp_bits(1.0, "float"), "float", "dec") == "1.0"
    assert M.fp_text(M.fp_bits(-0.0, "half"), "half", "dec") == "-0.0"
    assert M.fp_text(0x7C01, "half", "H") == "0xH7C01"
    assert M.fp_text(0x7C01, "half") == "0x7FF0040000000000"        # a signalling NaN
    assert M.fp_text(0x7F800001, "float") == "0x7FF0000020000000"
    assert M.fp_text(0xFF800000, "float", "dec") == "0xFFF0000000000000"   # -inf: no decimal
    assert M.fp_text(M.fp_bits(0.1, "double"), "double", "dec") == "0.1"
    assert M.nofpclass_text(0x3) == "nofpclass(nan)"
    assert M.nofpclass_text(0x207) == "nofpclass(nan inf)"
    assert M.nofpclass_text(0x3FF) == "nofpclass(all)"
    assert M.nofpclass_text(0x41) == "nofpclass(snan pzero)"


def test_generator_covers_the_fp_language():
    seen: Counter = Counter()
    for i in range(500):
        fn = R.random_fp_function(random.Random(f"fpcover:{i}"))
        text = fn.text()
        for ins in fn.body:
            seen[ins.callee or ins.op] += 1
            seen[f"pred:{ins.pred}"] += bool(ins.pred)
            seen.update(f for f in ins.flags)
            seen.update(f"ty:{a.ty}" for a in ins.args)
            seen.update(f"const:{a.style}" for a in ins.args if a.kind == "const"
                        and M.is_fp(a.ty))
        seen["nofpclass"] += "nofpclass" in text
        seen["noundef"] += "noundef" in text
        seen["fast"] += " fast " in text
    want = (set(M.FBINOPS) | {"fneg", "fcmp", "select", "freeze", "bitcast"} | set(M.FP_CASTS)
            | set(M.FP_INTRINSICS) | set(M.FMF) | {f"pred:{p}" for p in M.FPREDICATES}
            | {f"ty:{t}" for t in M.FP_TYPES} | {"const:hex", "const:dec", "const:H"}
            | {"nofpclass", "noundef", "fast", "nneg"})
    missing = sorted(k for k in want if not seen[k])
    assert not missing, missing


@needs_opt
@pytest.mark.parametrize("kind", sorted(R.FP_MUTATIONS))
def test_every_fp_mutation_applies_and_stays_valid(kind):
    applied = 0
    for i in range(300):
        rng = random.Random(f"{kind}:{i}")
        fn = R.random_fp_function(rng)
        res = R.fp_mutate(fn, rng, kind)
        if res is None:
            continue
        tgt, desc = res
        assert desc.startswith(kind + ":") and tgt.text("tgt") != fn.text("tgt")
        text = R.fp_module_text(fn, tgt.text("tgt"))
        assert R.verify_with_opt(text) is None, desc + "\n" + text
        applied += 1
        if applied >= 6:
            break
    assert applied >= 3, f"mutation {kind} hardly ever applies"


def test_identity_mutation_turns_fsub_zero_into_x():
    x = M.FOperand("val", "half", "x")
    fn = M.FFunction([("x", "half", [])], [
        M.FInstr("r", "fsub", "half", [x, M.FOperand("const", "half", value=0, style="dec")])],
        M.FOperand("val", "half", "r"))
    tgt, desc = R.fp_mutate(fn, random.Random(0), "identity")
    assert "ret half %x" in tgt.text("tgt") and "fsub" not in tgt.text("tgt"), desc


def test_fneg_mutation_both_ways():
    x = M.FOperand("val", "float", "x")
    fn = M.FFunction([("x", "float", [])], [M.FInstr("r", "fneg", "float", [x])],
                     M.FOperand("val", "float", "r"))
    seen = {R.fp_mutate(fn, random.Random(s), "fneg")[0].body[0].op for s in range(20)}
    assert seen == {"fsub", "fmul"}
    g = R.fp_mutate(fn, random.Random(1), "fneg")[0]
    if g.body[0].op == "fsub":
        assert "fsub float -0.0, %x" in g.text()
        back = R.fp_mutate(g, random.Random(0), "fneg")[0]
        assert "fneg float %x" in back.text()


# ---- the runner and the script with FP kinds ------------------------------------------

@needs_opt
def test_a_hanging_alive_tv_is_undecided_not_invalid(monkeypatch):
    """alive-tv past the wall-clock limit: the referee did not decide; the pair was fine."""
    def hang(*args, **kw):
        time.sleep(60)

    monkeypatch.setattr(running, "run_alive", hang)    # inherited by the forked children
    cfg = D.RunConfig(seed="hang", timeout=1.0, wall=3.0, diagnose=False)
    [o] = D.run_pairs([0], cfg, "/no/alive-tv", jobs=1)
    assert o.category == D.ALIVE_UNDECIDED and o.alive.status == "timeout", o
    assert "wall-clock" in o.alive.reason and o.text


def test_script_rejects_unknown_kinds(tmp_path):
    proc = _script(["--pairs", "2", "--kinds", "int,decimal", "--keep", str(tmp_path)])
    assert proc.returncode == 2 and "--kinds takes int, fp or int,fp" in proc.stderr
    proc = _script(["--pairs", "2", "--kinds", "int,fp", "--fp", "1.5", "--keep", str(tmp_path)])
    assert proc.returncode == 2 and "--fp takes a share" in proc.stderr


def test_replay_flags_name_the_kinds():
    assert D.RunConfig(seed=1).replay_flags() == ""
    assert D.RunConfig(seed=1, kinds=("fp",)).replay_flags() == " --kinds fp"
    assert D.RunConfig(seed=1, kinds=("int", "fp"), p_fp=0.25).replay_flags() == \
        " --kinds int,fp --fp 0.25"


# ---- against alive-tv -----------------------------------------------------------------

@needs_alive
@needs_opt
def test_fixed_fp_sample_agrees_with_alive_tv():
    """A few dozen FP pairs: veriopt may be undecided, never the opposite verdict."""
    cfg = D.RunConfig(seed="fpci", timeout=3.0, kinds=FP, diagnose=False)
    outs = D.run_pairs(range(24), cfg, EXE, jobs=2)
    bad = [o for o in outs if o.category in (D.UNSOUND, D.FALSE_ALARM, D.INVALID)]
    assert not bad, "\n".join(f"pair {o.index} [{o.category}] {o.description}: alive-tv "
                              f"{o.alive.short() if o.alive else '-'}, veriopt "
                              f"{o.veriopt.short() if o.veriopt else '-'}\n{o.text}" for o in bad)
    assert sum(bool(o.alive and o.alive.decided) for o in outs) >= 10
