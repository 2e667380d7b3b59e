"""`veriopt verify` prints what alive-tv prints, block for block: a blank
line, the separator, the pair, `=>`, the verdict (a refutation's ERROR line
and Example set off by blank lines), a closing blank line, and the
`Summary:` block when alive-tv prints one. The pairs are written here and
run through both tools; scripts/compare_shape.py does the same over the
shared conformance set."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from veriopt.verify.alive_tv import usable

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = importlib.util.spec_from_file_location("compare_shape",
                                              ROOT / "scripts" / "compare_shape.py")
compare_shape = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(compare_shape)


def _alive_tv() -> str | None:
    for exe in (os.environ.get("VERIOPT_ALIVE_TV"),
                str(ROOT.parent / "shared" / "tools" / "alive2" / "run-alive-tv"),
                shutil.which("alive-tv")):
        if exe and os.access(exe, os.X_OK) and usable(exe):
            return exe
    return None


ALIVE_TV = _alive_tv()
needs_alive = pytest.mark.skipif(ALIVE_TV is None, reason="alive-tv not available "
                                 "($VERIOPT_ALIVE_TV, ../shared/tools/alive2/run-alive-tv or PATH)")


def fn(name: str, body: str, ty: str = "i8") -> str:
    return f"define {ty} @{name}({ty} %x) {{\n{body}\n}}\n"


MUL = fn("src", "  %r = mul i8 %x, 2\n  ret i8 %r")
SHL = fn("tgt", "  %r = shl i8 %x, 1\n  ret i8 %r")
WRONG = fn("tgt", "  %r = shl i8 %x, 2\n  ret i8 %r")
POISON = fn("tgt", "  %r = shl nuw i8 %x, 1\n  ret i8 %r")
SDIV = fn("src", "  %r = sdiv i32 %x, 4\n  ret i32 %r", "i32")
ASHR = fn("tgt", "  %r = ashr i32 %x, 2\n  ret i32 %r", "i32")
PAIRS = {
    "correct": MUL + SHL,
    "value-mismatch": MUL + WRONG,
    "more-poisonous": MUL + POISON,
    "sdiv-ashr": SDIV + ASHR,
    "several-pairs": MUL + SHL + MUL.replace("@src", "@src1") + WRONG.replace("@tgt", "@tgt1")
    + MUL.replace("@src", "@src2") + SHL.replace("@tgt", "@tgt2"),
}


def outputs(*files: str) -> tuple[str, str]:
    alive = subprocess.run([ALIVE_TV, *files], capture_output=True, text=True, timeout=120).stdout
    ours = subprocess.run([sys.executable, "-m", "veriopt.cli", "verify", *files],
                          capture_output=True, text=True, timeout=120).stdout
    return alive, ours


@needs_alive
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_same_shape_as_alive_tv(name, tmp_path):
    path = tmp_path / f"{name}.ll"
    path.write_text(PAIRS[name])
    alive, ours = outputs(str(path))
    a, b, same = compare_shape.compare_texts(alive, ours)
    assert a == b != "other", (alive, ours)
    assert same, f"alive-tv:\n{alive}\nveriopt:\n{ours}"


@needs_alive
def test_two_files_same_shape_as_alive_tv(tmp_path):
    (tmp_path / "a.ll").write_text(MUL.replace("@src", "@f"))
    (tmp_path / "b.ll").write_text(WRONG.replace("@tgt", "@f"))
    alive, ours = outputs(str(tmp_path / "a.ll"), str(tmp_path / "b.ll"))
    verdicts = compare_shape.compare_texts(alive, ours)
    assert verdicts == ("incorrect", "incorrect", True), (alive, ours)
    assert "\nSummary:\n" in ours


def test_shape_keeps_structure_and_drops_what_legitimately_differs():
    alive = ("\n----------------------------------------\ndefine i8 @src(i8 %x) {\n#0:\n"
             "  ret i8 %x\n}\n=>\ndefine i8 @tgt(i8 %x) {\n#0:\n  ret i8 0\n}\n"
             "Transformation doesn't verify!\n\nERROR: Value mismatch\n\n"
             "NOTE: The counterexample is unique.\n\nExample:\ni8 %x = #x01 (1)\n\n"
             "Source:\n\nSOURCE MEMORY STATE\n\nTarget:\nSource value: #x01 (1)\n"
             "Target value: #x00 (0)\n\n\n")
    assert compare_shape.shape(alive) == [
        "", "----", "<ir>", "=>", "<ir>", "Transformation doesn't verify!", "", "ERROR: ...", "",
        "Example:", "Source:", "Target:", ""]
    # a missing blank line between the verdict and the ERROR line is a difference
    assert compare_shape.shape(alive.replace("verify!\n\nERROR", "verify!\nERROR")) != \
        compare_shape.shape(alive)
