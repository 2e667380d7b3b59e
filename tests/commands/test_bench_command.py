"""The optimization corpus is sound (every known better version is proved
and costs what the manifest says) and `veriopt bench` reports on it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from veriopt.bench.cost import static_cost
from veriopt.cli import main
from veriopt.verify.api import verify_ir
from veriopt.verify.verdict import Status

CORPUS = Path(__file__).parent.parent.parent / "veriopt" / "corpus" / "opt"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())


def test_corpus_size():
    assert len(MANIFEST["ir"]) >= 40
    assert len(MANIFEST["c"]) >= 20


@pytest.mark.parametrize("case", MANIFEST["ir"], ids=[c["name"] for c in MANIFEST["ir"]])
def test_known_better_version_is_proved_and_costed(case):
    src = (CORPUS / case["file"]).read_text()
    better = (CORPUS / case["better"]).read_text()
    fn = case["function"]
    assert verify_ir(src, better, fn, fn).status is Status.CORRECT
    assert static_cost(src, fn, mca=False).weighted == case["baseline_cost"]
    assert static_cost(better, fn, mca=False).weighted == case["expected_best"] < case["baseline_cost"]


DIFF_DRIVER = """#include <stdint.h>
#include <stdio.h>
{ret} vo_a({proto});
{ret} vo_b({proto});
static uint64_t s = 88172645463325252u;
static uint64_t next(void) {{ s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }}
static const uint64_t edge[] = {{0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x8000, 0xffff, 0x7fffffff,
  0x80000000u, 0x80000001u, 0xffffffffu, 0x8000000000000000u, 0xffffffffffffffffu}};
int main(void) {{
  for (int k = 0; k < 200000; k++) {{
    uint64_t v = k < 15 ? edge[k] : (k % 3 ? next() : next() >> (next() % 64));
    {arg_type} x = ({arg_type})v;
    if (vo_a(x) != vo_b(x)) {{ printf("%llu\\n", (unsigned long long)v); return 1; }}
  }}
  return 0;
}}
"""


@pytest.mark.parametrize("case", MANIFEST["c"], ids=[c["name"] for c in MANIFEST["c"]])
def test_c_better_version_agrees(case, tmp_path):
    """The corpus's better C version computes the same as the original on
    edge and random inputs (compiled at -O0, so no UB-driven folding)."""
    if not shutil.which("clang-22"):
        pytest.skip("clang-22 not installed")
    from veriopt.bench.timing import C_TYPES, _run, compile_version, signature
    fn = case["function"]
    orig = (CORPUS / case["file"]).read_text()
    better = (CORPUS / case["better"]).read_text()
    ret, params = signature(orig, fn, "c", tmp_path)
    assert len(params) == 1
    a = compile_version(orig, fn, "c", "vo_a", tmp_path, ("-O0",))
    b = compile_version(better, fn, "c", "vo_b", tmp_path, ("-O0",))
    driver = tmp_path / "diff.c"
    driver.write_text(DIFF_DRIVER.format(ret=C_TYPES[ret], proto=C_TYPES[params[0]],
                                         arg_type=C_TYPES[params[0]]))
    exe = tmp_path / "diff"
    _run(["clang-22", "-O1", "-o", str(exe), str(driver), str(a), str(b)], 120)
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"differ at input {out.stdout.strip()}"


def _small_corpus(tmp_path: Path, names: list[str]) -> Path:
    (tmp_path / "ir").mkdir(parents=True)
    cases = [c for c in MANIFEST["ir"] if c["name"] in names]
    for c in cases:
        shutil.copy(CORPUS / c["file"], tmp_path / c["file"])
    (tmp_path / "manifest.json").write_text(json.dumps({"ir": cases, "c": []}))
    return tmp_path


def test_bench_json(tmp_path, capsys):
    root = _small_corpus(tmp_path, ["mul9", "select_umin"])
    assert main(["bench", str(root), "--budget", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["command"] == "bench" and isinstance(out["schema_version"], int)
    assert out["summary"]["ir_cases"] == 2 and out["summary"]["ir_as_good"] == 2
    assert isinstance(out["summary"]["skipped_not_cheaper"], int)
    assert all(r["best"] <= r["expected"] for r in out["ir"])


def test_bench_table(tmp_path, capsys):
    root = _small_corpus(tmp_path, ["udiv_pow2"])
    assert main(["bench", str(root), "--budget", "20"]) == 0
    text = capsys.readouterr().out
    assert "udiv_pow2" in text and "100.0% of the IR corpus" in text


def test_bench_without_manifest(tmp_path, capsys):
    assert main(["bench", str(tmp_path)]) == 2


def test_bench_names_an_unknown_case_instead_of_doing_nothing(capsys):
    assert main(["bench", str(CORPUS), "--only", "mul9", "--only", "no_such_case"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no case named no_such_case" in err and "mul9" in err


def test_bench_agent_selection(tmp_path, capsys):
    root = _small_corpus(tmp_path, ["popcount8_unrolled"])
    assert main(["bench", str(root), "--budget", "20", "--json",
                 "--agents", "rules"]) == 0
    only_rules = json.loads(capsys.readouterr().out)["ir"][0]
    assert only_rules["best"] is None and not only_rules["as_good"]
    assert main(["bench", str(root), "--budget", "20", "--json",
                 "--agents", "superopt"]) == 0
    synthesised = json.loads(capsys.readouterr().out)["ir"][0]
    assert synthesised["agent"] == "superopt" and synthesised["best"] == 1


def test_bench_unknown_agent(tmp_path):
    root = _small_corpus(tmp_path, ["mul9"])
    assert main(["bench", str(root), "--agents", "oracle"]) == 2


def test_bench_never_counts_a_bounded_result_as_proved(tmp_path, capsys):
    """`passes` turns two loops into `mul %n, 6`; with --unroll 4 that is only
    bounded (induction takes one loop per function):
    dropped by default, shown as bounded:4 with --bounded label, counted as
    proved never."""
    from agent_helpers import TWO_LOOPS
    (tmp_path / "ir").mkdir()
    (tmp_path / "ir" / "two_loops.ll").write_text(TWO_LOOPS)
    (tmp_path / "manifest.json").write_text(json.dumps({"ir": [
        {"name": "two_loops", "file": "ir/two_loops.ll", "function": "f",
         "expected_best": 3}], "c": []}))
    base = ["bench", str(tmp_path), "--budget", "20", "--agents", "passes",
            "--unroll", "4", "--no-alive-tv"]
    assert main([*base, "--json"]) == 0
    dropped = json.loads(capsys.readouterr().out)
    assert dropped["ir"][0]["best"] is None and dropped["summary"]["ir_bounded"] == 0

    assert main([*base, "--json", "--bounded", "label"]) == 0
    labelled = json.loads(capsys.readouterr().out)
    (row,) = labelled["ir"]
    assert row["best"] == 3 and row["proof"] == "bounded:4" and row["checked_by"] == "veriopt"
    assert not row["as_good"] and row["proved"] == 0
    assert labelled["summary"]["ir_as_good"] == 0 and labelled["summary"]["ir_improved"] == 0
    assert labelled["summary"]["ir_bounded"] == 1

    assert main([*base, "--bounded", "label"]) == 0
    table = capsys.readouterr().out
    assert re.search(r"^two_loops\s+\d+\s+3\s+3\s+no\s+bounded:4\s+veriopt\s+passes", table, re.M)
    assert "0 improved at all; 1 more only bounded, not counted" in table


def test_bench_result_checked_by_alive_tv(tmp_path, capsys, monkeypatch):
    from agent_helpers import real_alive_tv
    real_alive_tv(monkeypatch)
    root = _small_corpus(tmp_path, ["udiv_pow2"])
    assert main(["bench", str(root), "--budget", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["ir"]
    assert row["as_good"] and row["proof"] == "proved" and row["checked_by"] == "veriopt+alive-tv"


def test_bench_drops_a_result_alive_tv_refutes(tmp_path, capsys, monkeypatch):
    from agent_helpers import fake_alive_tv
    fake_alive_tv(tmp_path, monkeypatch)
    root = _small_corpus(tmp_path / "corpus", ["udiv_pow2"])
    assert main(["bench", str(root), "--budget", "20", "--json"]) == 0
    captured = capsys.readouterr()
    (row,) = json.loads(captured.out)["ir"]
    assert row["best"] is None and not row["as_good"]
    assert row["note"].startswith("alive-tv disagrees (ERROR: Value mismatch): dropped; module ")
    module = Path(row["note"].rsplit("module ", 1)[1])
    assert "@src(" in module.read_text() and "@tgt(" in module.read_text()
    assert "warning: alive-tv disagrees with veriopt" in captured.err
