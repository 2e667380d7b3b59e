"""The conformance runner's summary: per-tag rows beside alive-tv's own
results, and unsupported verdicts counted by feature."""
from __future__ import annotations

import json

from veriopt.verify import conformance as C

CORRECT = """define i8 @src(i8 %x) {
  %r = mul i8 %x, 2
  ret i8 %r
}
define i8 @tgt(i8 %x) {
  %r = shl i8 %x, 1
  ret i8 %r
}
"""
WRONG = CORRECT.replace("shl i8 %x, 1", "shl i8 %x, 2")
# x86_fp80 is outside what the verifier models (and may stay so)
FP80 = """define x86_fp80 @src(x86_fp80 %x) {
  ret x86_fp80 %x
}
define x86_fp80 @tgt(x86_fp80 %x) {
  ret x86_fp80 %x
}
"""


def folder(tmp_path):
    files = {"a.ll": (CORRECT, "correct", ["int"]), "b.ll": (WRONG, "incorrect", ["int", "vector"]),
             "c.ll": (FP80, "correct", ["fp"])}
    manifest, reference = [], []
    for name, (text, verdict, tags) in files.items():
        (tmp_path / name).write_text(text)
        error = "ERROR: Value mismatch" if verdict == "incorrect" else None
        manifest.append({"file": name, "verdict": verdict, "error": error, "args": [], "tags": tags})
        reference.append({"file": name, "pass": name != "b.ll"})
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in manifest))
    (tmp_path / C.REFERENCE_FILE).write_text("".join(json.dumps(r) + "\n" for r in reference))
    return tmp_path


def test_rows_per_tag_with_alive_tvs_passes(tmp_path):
    root = folder(tmp_path)
    outcomes = C.run_all(C.discover(root), jobs=1)
    rows = {r["tag"]: r for r in C.by_tag(outcomes, C.load_reference(root))}
    assert set(rows) == {"int", "vector", "fp"}          # tags no test has are left out
    assert rows["int"] == {"tag": "int", "scored": 2, "passed": 2, "unsupported": 0,
                           "unsound": 0, "alive_tv_passed": 1}
    assert rows["fp"]["unsupported"] == 1 and rows["fp"]["passed"] == 0
    assert C.unsupported_features(outcomes) == {"floating point (x86_fp80)": 1}


def test_without_a_reference_alive_tvs_column_is_empty(tmp_path):
    outcomes = C.run_all(C.discover(folder(tmp_path)), jobs=1)
    assert all(r["alive_tv_passed"] is None for r in C.by_tag(outcomes, {}))


def test_features_drop_their_particulars():
    assert C.feature("ERROR: Unsupported: call to @foo") == "call to a declared function"
    assert C.feature("ERROR: Unsupported: call to @llvm.x86.sse2.psrl.w") == \
        "call to @llvm.x86.sse2.psrl.w"
    assert C.feature("ERROR: Unsupported: pointers (argument %p)") == "pointers"
    assert C.feature("ERROR: Unsupported: instruction invoke") == "instruction invoke"
    assert C.feature("ERROR: Unsupported: attribute byval on %1 of @src") == "attribute byval"
    assert C.feature("ERROR: Unsupported: call to @llvm.ptrmask.p0.i64") == "call to @llvm.ptrmask"
