"""The memory side of the random IR generator (random_ir.mem, mem_model,
mem_functions, mem_mutations, mem_pairs): pairs reproducible per seed,
valid for LLVM 22, the integer and FP pairs of a mixed run unchanged,
every mutation applicable, and veriopt's verdicts on hand-made memory
mutations (each checked with alive-tv when written).
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter

import pytest
from veriopt.verify import differential as D
from veriopt.verify import random_ir as R
from veriopt.verify.differential.running import run_veriopt
from veriopt.verify.random_ir.mem_model import (
    MBlock, MFunction, MInstr, MOperand, alloc_size, mem_module_text, store_size,
)

needs_opt = pytest.mark.skipif(R.find_opt() is None, reason="opt-22 not found")
MEM = ("mem",)
SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "differential.py")


def test_mem_pairs_are_reproducible():
    a, b = R.pair_for(7, 3, kinds=MEM, p_opt=0.0), R.pair_for(7, 3, kinds=MEM, p_opt=0.0)
    assert a.text == b.text and a.domain == "mem" and a.kind == "mutation"
    assert a.text != R.pair_for(7, 4, kinds=MEM, p_opt=0.0).text
    f = R.random_mem_function(random.Random("m"))
    assert f.text() == R.random_mem_function(random.Random("m")).text()


def test_mixed_runs_keep_the_integer_and_fp_pairs():
    kinds = ("int", "fp", "mem")
    mem = [i for i in range(60) if R.is_mem_pair(5, i, kinds, 0.4)]
    assert 12 <= len(mem) <= 40, mem
    assert all(R.is_mem_pair(5, i, MEM) for i in range(20))
    assert not any(R.is_mem_pair(5, i, ("int", "fp")) for i in range(60))
    for i in range(10):
        p = R.pair_for(5, i, kinds=kinds, p_fp=0.3, p_opt=0.0)
        if i in mem:
            assert p.domain == "mem"
        else:
            assert p.text == R.pair_for(5, i, kinds=("int", "fp"), p_fp=0.3, p_opt=0.0).text


@needs_opt
def test_generated_mem_modules_are_valid_ir():
    kinds = Counter()
    for i in range(60):
        pair = R.pair_for("memvalid", i, kinds=MEM)
        kinds[pair.kind] += 1
        assert R.verify_with_opt(pair.text) is None, pair.description + "\n" + pair.text
        assert "define" in pair.text and "@tgt(" in pair.text
    assert kinds["mutation"] > 25 and sum(kinds.values()) - kinds["mutation"] > 5, kinds


def test_generator_covers_the_memory_language():
    seen: Counter = Counter()
    for i in range(400):
        fn = R.random_mem_function(random.Random(f"memcover:{i}"))
        text = fn.text()
        for ins in fn.instrs():
            seen[ins.op] += 1
            seen.update(ins.flags)
            if ins.op in ("load", "store"):
                seen[f"ty:{ins.ty}"] += 1
            if ins.op == "gep":
                seen["gep:var" if ins.args[1].kind == "val" else "gep:const"] += 1
            if ins.op == "icmp":
                seen[f"icmp:{ins.pred}"] += 1
            if ins.op in ("phi", "select") and ins.ty == "ptr":
                seen[f"{ins.op}:ptr"] += 1
        for g in fn.globals:
            seen["constant" if g.constant else "global"] += 1
        for attr in ("noundef", "nonnull", "align ", "dereferenceable("):
            seen[attr] += attr in text
    want = {"alloca", "load", "store", "gep", "memset", "memcpy", "memmove", "icmp:eq",
            "icmp:ne", "select:ptr", "phi:ptr", "inbounds", "nuw", "gep:var", "gep:const",
            "constant", "global", "noundef", "nonnull", "align ", "dereferenceable(",
            "ty:i1", "ty:i12", "ty:i8", "ty:i16", "ty:i32", "ty:i64", "ty:<4 x i8>"}
    missing = sorted(k for k in want if not seen[k])
    assert not missing, missing


@needs_opt
@pytest.mark.parametrize("kind", sorted(R.MEM_MUTATIONS))
def test_every_mem_mutation_applies_and_stays_valid(kind):
    applied = 0
    for i in range(200):
        rng = random.Random(f"{kind}:{i}")
        fn = R.random_mem_function(rng)
        res = R.mem_mutate(fn, rng, kind)
        if res is None:
            continue
        tgt, desc = res
        assert desc.startswith(kind + ":") and tgt.text("tgt") != fn.text("tgt")
        text = mem_module_text(fn, tgt.text("tgt"))
        assert R.verify_with_opt(text) is None, desc + "\n" + text
        applied += 1
        if applied >= 5:
            break
    assert applied >= 3, f"mutation {kind} hardly ever applies"


def test_sizes():
    assert [store_size(t) for t in ("i1", "i12", "i24", "i64", "<4 x i8>", "<2 x i32>")] == \
        [1, 2, 3, 8, 4, 8]
    assert [alloc_size(t) for t in ("i24", "i64", "[4 x i16]", "[2 x i32]")] == [4, 8, 8, 8]


# ---- hand-made mutations, verdicts checked against alive-tv when written -------------------

P = MOperand("val", "ptr", "p")


def _store_then_load() -> MFunction:
    """store i32 %x, %p; %v = load i32, %p; ret i32 %v (p: noundef nonnull align 4
    dereferenceable(4))."""
    x = MOperand("val", "i32", "x")
    body = [MInstr("", "store", "i32", [x, P], 4),
            MInstr("v", "load", "i32", [P], 4)]
    return MFunction([("p", "ptr", ["noundef", "nonnull", "align 4", "dereferenceable(4)"]),
                      ("x", "i32", ["noundef"])],
                     [MBlock("entry", body, ("ret", MOperand("val", "i32", "v")))], "i32")


def _verdict(src: MFunction, tgt: MFunction) -> str:
    side = run_veriopt(mem_module_text(src, tgt.text("tgt")), 10.0)
    return side.short()


def test_dropping_the_store_is_refuted():
    src = _store_then_load()
    tgt, desc = R.mem_mutate(src, random.Random(0), "drop-store")
    assert "store" not in tgt.text()
    # alive-tv: ERROR: Target is more poisonous than source (the caller's bytes)
    assert _verdict(src, tgt).startswith("incorrect"), desc


def test_forwarding_the_stored_value_is_proved():
    src = _store_then_load()
    tgt, desc = R.mem_mutate(src, random.Random(0), "forward")
    assert "load" not in tgt.text() and "ret i32 %x" in tgt.text(), tgt.text()
    assert _verdict(src, tgt) == "correct", desc           # alive-tv: correct


def test_repeating_a_store_is_proved_and_widening_it_is_refuted():
    src = MFunction([("p", "ptr", ["dereferenceable(8)", ])], [MBlock("entry", [
        MInstr("", "store", "i16", [MOperand("const", "i16", value=7), P], 2)], ("ret", None))],
        "void")
    dup, _ = R.mem_mutate(src, random.Random(1), "dup-store")
    assert dup.text().count("store i16 7") == 2
    assert _verdict(src, dup) == "correct"                 # alive-tv: correct
    wide, desc = R.mem_mutate(src, random.Random(3), "width")
    assert "store i32 7" in wide.text() or "store i8 7" in wide.text(), wide.text()
    # i32: writes two more bytes (alive-tv: Mismatch in memory); i8: the high byte is left
    assert _verdict(src, wide) == "incorrect (Mismatch in memory)", desc


def test_dead_store_to_an_alloca_is_removable():
    a = MOperand("val", "ptr", "a")
    body = [MInstr("a", "alloca", "ptr", [], 4, elem="i32"),
            MInstr("", "store", "i32", [MOperand("const", "i32", value=1), a], 4),
            MInstr("v", "load", "i8", [P], 1)]
    src = MFunction([("p", "ptr", [])], [MBlock("entry", body,
                                                 ("ret", MOperand("val", "i8", "v")))], "i8")
    tgt, _ = R.mem_mutate(src, random.Random(0), "dead-alloca-store")
    assert "store" not in tgt.text()
    assert _verdict(src, tgt) == "correct"                 # alive-tv: correct


# ---- the script and the runner with memory kinds ---------------------------------------

def test_replay_flags_name_the_memory_kind():
    assert D.RunConfig(seed=1, kinds=MEM).replay_flags() == " --kinds mem"
    assert D.RunConfig(seed=1, kinds=("int", "fp", "mem"), p_fp=0.25, p_mem=0.5
                       ).replay_flags() == " --kinds int,fp,mem --fp 0.25 --mem 0.5"
    assert D.RunConfig(seed=1, kinds=("int", "mem")).replay_flags() == " --kinds int,mem --mem 0.4"


def test_script_checks_the_memory_share(tmp_path):
    proc = subprocess.run([sys.executable, SCRIPT, "--pairs", "2", "--kinds", "int,mem",
                           "--mem", "1.5", "--keep", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--mem takes a share" in proc.stderr
