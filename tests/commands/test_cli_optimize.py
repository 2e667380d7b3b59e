"""`veriopt optimize` end to end: bad input, the offline agents on a small
IR case, the LLM path through the real client and a local stub server,
resume from the store, and Ctrl-C of a real process."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from veriopt.cli import main
from veriopt.verify.api import verify_ir
from veriopt.verify.verdict import Status

from openai_stub import StubServer, candidates, reply

ROTL = (resources.files("veriopt.corpus") / "optimize" / "rotl.ll").read_text()
SECRET = "sk-cli-SECRET-fedcba9876543210"
FSHL = """define i32 @rotl(i32 %x, i32 %s) {
  %o = call i32 @llvm.fshl.i32(i32 %x, i32 %x, i32 %s)
  ret i32 %o
}
declare i32 @llvm.fshl.i32(i32, i32, i32)
"""
FSHR = FSHL.replace("fshl", "fshr")


def optimize(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["optimize", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def rotl(tmp_path) -> Path:
    path = tmp_path / "rotl.ll"
    path.write_text(ROTL)
    return path


@pytest.mark.parametrize("name, text, extra, message", [
    ("missing.ll", None, [], "no such file"),
    ("f.txt", "x", [], "expected a .c or .ll file"),
    ("f.ll", "define i32 @g() {\n  ret i32 0\n}\n", ["--function", "f"], "no definition of @f"),
    ("f.ll", "define i32 @g( {\n", [], "f.ll:2"),
    ("f.c", "int g(int x) { return x; }\n", ["--function", "f"], "no definition of 'f'"),
    ("f.c", "int f(int x) { return x +; }\n", ["--function", "f"], "f.c:1"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, name, text, extra, message):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    code, out, err = optimize(capsys, str(path), "--agents", "rules", "--quiet",
                              "--store", str(tmp_path / "s.sqlite"), *extra)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_offline_agents_prove_a_cheaper_rotate(capsys, tmp_path, rotl):
    out_ll, rep = tmp_path / "out.ll", tmp_path / "rep"
    code, out, err = optimize(capsys, str(rotl), "-o", str(out_ll), "--report", str(rep),
                              "--agents", "rules,passes", "--no-timing", "--budget", "60s")
    assert code == 0, err
    assert "ACCEPTED" in err and "75.0% below baseline" in out
    verdict = verify_ir(ROTL, out_ll.read_text(), "rotl", "rotl")
    assert verdict.status is Status.CORRECT and "llvm.fshl" in out_ll.read_text()
    data = json.loads((rep / "report.json").read_text())
    assert data["result"]["origin"] == "rules" and data["result"]["proof"] == "proved"
    assert data["baseline"]["cost"]["instructions"] == 4 and data["rechecks"]["failed"] == 0
    assert (rep / "report.md").exists() and (rep / "report.html").exists()

    # the same command again resumes: nothing is verified anew except the re-check
    code, out, err = optimize(capsys, str(rotl), "--report", str(rep), "--agents",
                              "rules,passes", "--no-timing", "--quiet")
    again = json.loads((rep / "report.json").read_text())
    assert code == 0 and again["run"]["resumed"]
    assert all(c["resumed"] for c in again["candidates"])
    assert again["run"]["verifications"] == again["rechecks"]["checked"] == 1
    assert again["result"]["key"] == data["result"]["key"]


def test_llm_path_through_the_cli_keeps_the_key_secret(capsys, tmp_path, rotl, monkeypatch):
    script = [reply(json.dumps({"inputs": [{"x": 1, "s": 0}]})), candidates(FSHR),
              candidates(FSHL), reply('{"candidates": []}')]
    rep = tmp_path / "rep"
    with StubServer(script) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", SECRET)
        code, out, err = optimize(capsys, str(rotl), "--agents", "llm", "--report", str(rep),
                                  "--no-timing", "--budget", "60s")
        prompts = srv.user_prompts()
    assert code == 0, err
    data = json.loads((rep / "report.json").read_text())
    steps = [(c["status"], c["round"]) for c in data["candidates"]]
    assert steps == [("refuted", 0), ("proved", 1)]
    assert data["result"]["origin"] == "llm" and data["result"]["code"] == FSHL
    assert "Value mismatch" in prompts[2] and "rejected by the verifier" in prompts[2]
    assert data["agents"]["details"]["llm"]["requests"] == len(prompts)
    for blob in [out, err, *(p.read_text() for p in rep.iterdir() if p.suffix != ".sqlite")]:
        assert SECRET not in blob
    assert SECRET.encode() not in (rep / "store.sqlite").read_bytes()


def test_ctrl_c_of_a_real_run_then_resume(tmp_path, rotl):
    store = tmp_path / "s.sqlite"
    cmd = [sys.executable, "-m", "veriopt.cli", "optimize", str(rotl), "--store", str(store),
           "--agents", "rules,superopt", "--no-timing", "--budget", "120s"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "ACCEPTED" in line:
            proc.send_signal(signal.SIGINT)
            break
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + rest
    assert "rerun the same command to resume" in rest
    done = subprocess.run(cmd[:-5] + ["--agents", "rules", "--no-timing", "--quiet"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0 and "from rules" in done.stdout, done.stderr


def test_c_input_is_lowered_and_the_ir_result_written_beside_the_c_output(capsys, tmp_path):
    src = tmp_path / "rot.c"
    src.write_text("unsigned rotl(unsigned x, unsigned s) {\n"
                   "  return (x << s) | (x >> (32 - s));\n}\n")
    out_c, rep = tmp_path / "rot.opt.c", tmp_path / "rep"
    code, out, err = optimize(capsys, str(src), "--function", "rotl", "-o", str(out_c),
                              "--report", str(rep), "--agents", "rules", "--no-timing")
    assert code == 0, err
    data = json.loads((rep / "report.json").read_text())
    assert data["input"]["kind"] == "c" and data["result"]["level"] == "ir"
    assert data["result"]["output"] == str(out_c) + ".ll"
    assert out_c.read_text() == src.read_text()          # no C-level result: C kept as is
    assert "llvm.fshl" in Path(str(out_c) + ".ll").read_text()
    assert data["result"]["proof"] == "proved"
    assert data["result"]["label"] == "proved (refines clang -O3 IR of the C source)"


# ---------------------------------------------------------------- bounded results

def test_bounded_c_candidate_is_dropped_by_default_and_labelled_on_request(capsys, tmp_path):
    from agent_helpers import PARITY, PARITY_LOOP
    src = tmp_path / "parity.c"
    src.write_text(PARITY_LOOP)
    rep, out_c = tmp_path / "rep", tmp_path / "parity.opt.c"
    common = [str(src), "--function", "f", "--agents", "llm", "--report", str(rep),
              "--no-timing", "--no-alive-tv", "--budget", "60s", "-o", str(out_c)]
    with StubServer([candidates(PARITY)]) as srv:
        code, out, err = optimize(capsys, *common, "--base-url", srv.base_url)
    assert code == 0, err
    label = re.search(r"bounded, (\d+) iterations, fuzzed \d+ inputs", err)
    assert label and "dropped: bounded only" in err and "ACCEPTED" not in err
    assert "result: no proved improvement" in out
    assert re.search(r"^dropped: bounded only: 1 candidate\(s\)", out, re.M)
    data = json.loads((rep / "report.json").read_text())
    (c_cand,) = [c for c in data["candidates"] if c["level"] == "c"]
    assert (c_cand["status"], c_cand["accepted"], c_cand["note"]) == \
        ("bounded", False, "dropped: bounded only")
    assert data["result"] is None and data["dropped"]["bounded_only"] == [c_cand["key"]]
    assert out_c.read_text() == PARITY_LOOP

    # the same run again, accepting bounded results: labelled, never "proved"
    with StubServer([candidates(PARITY)]) as srv:
        code, out, err = optimize(capsys, *common, "--bounded", "label",
                                  "--base-url", srv.base_url)
    assert code == 0, err
    data = json.loads((rep / "report.json").read_text())
    res = data["result"]
    assert data["run"]["resumed"] and data["policy"]["bounded"] == "label"
    assert res["proof"] == "bounded" and res["bound"] == int(label.group(1))
    assert res["label"] == label.group(0)
    assert res["level"] == "c" and res["code"] == PARITY and out_c.read_text() == PARITY
    assert f"{res['label']} — not a proof" in out and "proved" not in out
    assert f"- proof: **bounded** — {res['label']} — not a proof" in \
        (rep / "report.md").read_text()
    assert data["dropped"]["bounded_only"] == []


# ---------------------------------------------------------------- alive-tv re-check

def test_accepted_ir_rewrite_is_rechecked_by_alive_tv(capsys, tmp_path, rotl, monkeypatch):
    from agent_helpers import real_alive_tv
    real_alive_tv(monkeypatch)
    rep = tmp_path / "rep"
    code, out, err = optimize(capsys, str(rotl), "--agents", "rules", "--no-timing",
                              "--report", str(rep))
    assert code == 0, err
    assert "checked by: veriopt + alive-tv" in out and "alive-tv key=" in err
    data = json.loads((rep / "report.json").read_text())
    assert data["result"]["checked_by"] == ["veriopt", "alive-tv"]
    assert data["rechecks"]["alive_tv"]["correct"] == 1 and data["disagreements"] == []
    assert "- checked by: veriopt + alive-tv" in (rep / "report.md").read_text()

    code, out, err = optimize(capsys, str(rotl), "--agents", "rules", "--no-timing",
                              "--report", str(rep), "--no-alive-tv", "--quiet")
    data = json.loads((rep / "report.json").read_text())
    assert code == 0 and data["result"]["checked_by"] == ["veriopt"]
    assert data["policy"]["alive_tv"] is None
    assert "checked by: veriopt (alive-tv not available or disabled)" in out


def test_alive_tv_disagreement_drops_the_rewrite_loudly(capsys, tmp_path, rotl, monkeypatch):
    from agent_helpers import fake_alive_tv
    fake_alive_tv(tmp_path, monkeypatch)
    rep = tmp_path / "rep"
    code, out, err = optimize(capsys, str(rotl), "--agents", "rules", "--no-timing",
                              "--report", str(rep), "--quiet")
    assert code == 0, err
    data = json.loads((rep / "report.json").read_text())
    (d,) = data["disagreements"]
    (cand,) = data["candidates"]
    assert d["key"] == cand["key"] and cand["status"] == "proved" and not cand["accepted"]
    assert cand["note"] == "dropped: alive-tv disagrees (Value mismatch)"
    assert data["result"] is None and "result: no proved improvement" in out
    module = rep / "disagreements" / f"{cand['key']}.ll"
    assert d["module"] == str(module) and "@tgt(" in module.read_text()
    (warning,) = err.strip().splitlines()          # --quiet: only the warning
    assert warning.startswith(f"warning: alive-tv disagrees with veriopt on candidate "
                              f"{cand['key']} (rules, ir)")
    assert "ERROR: Value mismatch" in warning and str(module) in warning
    assert "## Disagreements with alive-tv" in (rep / "report.md").read_text()


def test_missing_clang_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    import veriopt.bench.lowering as lowering
    monkeypatch.setattr(lowering, "CLANG", "clang-does-not-exist-22")
    path = tmp_path / "k.c"
    path.write_text("int f(int x) { return x * 2; }\n")
    from veriopt.cli import main
    code = main(["optimize", str(path), "--function", "f", "--budget", "5s",
                 "--store", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert code == 2
    assert "clang-does-not-exist-22 is not installed" in err and "Traceback" not in err


def test_llm_server_down_is_an_error_not_a_quiet_success(capsys, tmp_path, rotl, monkeypatch):
    import socket
    with socket.socket() as s:          # a port that was free a moment ago: nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    code, out, err = optimize(capsys, str(rotl), "--agents", "llm", "--no-timing",
                              "--budget", "20s", "--store", str(tmp_path / "s.sqlite"))
    assert code == 3
    line = [ln for ln in err.splitlines() if ln.startswith("error: no agent could work")]
    assert len(line) == 1 and f"127.0.0.1:{port}" in line[0] and "APIConnectionError" in line[0]
    assert SECRET not in out + err


def test_json_is_the_report_data_as_a_document(capsys, tmp_path, rotl):
    code, out, err = optimize(capsys, str(rotl), "--agents", "rules,passes", "--no-timing",
                              "--budget", "30s", "--store", str(tmp_path / "s.sqlite"),
                              "--report", str(tmp_path / "rep"), "--json", "--quiet",
                              "--fuzz-examples", "50")
    assert code == 0 and err == ""
    doc = json.loads(out)
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert doc["command"] == "optimize" and isinstance(doc["schema_version"], int)
    assert {k: v for k, v in doc.items() if k not in ("command", "schema_version")} == report
    assert isinstance(doc["skipped_not_cheaper"], int)
    assert doc["result"]["proof"] == "proved"


def test_negative_unroll_is_bad_input(capsys, rotl):
    code, _, err = optimize(capsys, str(rotl), "--unroll", "-1")
    assert code == 2 and "--unroll must be 0 or more" in err
