"""Every command is bounded (commands/supervisor.py): run as the program,
the work happens in a worker with a wall clock and an address-space cap,
and reaching either is `unknown: <which limit>`, exit 3 (JSON: an error
document of kind `limit`), never a hang, a signal death or a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from c_helpers import write

ROOT = Path(__file__).resolve().parent.parent.parent
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "schema" / "veriopt.schema.json").read_text()))


def veriopt(*argv: str, wall: float = 60) -> tuple[int, str, str, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "veriopt.cli", *argv], capture_output=True,
                          text=True, timeout=wall, cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def chain(tmp_path: Path, n: int) -> str:
    """A pair of n-instruction multiplication chains differing at the end:
    far more than the solver settles in a few seconds."""
    body = [f"  %v{i} = mul i32 {'%x' if i == 0 else f'%v{i - 1}'}, %x" for i in range(n)]
    fns = [f"define i32 @{name}(i32 %x) {{\n" + "\n".join(body) + f"\n  ret i32 %v{n - k}\n}}\n"
           for name, k in (("src", 1), ("tgt", 2))]
    path = tmp_path / "chain.ll"
    path.write_text("".join(fns))
    return str(path)


def test_a_run_past_its_time_limit_is_unknown_exit_3(tmp_path):
    code, out, err, seconds = veriopt("verify", chain(tmp_path, 5000), "--time-limit", "3")
    assert code == 3, (out, err)
    assert out.strip() == ("unknown: time limit: the run took more than 3 s "
                           "(raise it with --time-limit)")
    assert seconds < 3 + 5 and "Traceback" not in err


def test_the_limit_in_json_is_an_error_document(tmp_path):
    code, out, err, _ = veriopt("verify", chain(tmp_path, 5000), "--time-limit", "2", "--json")
    doc = json.loads(out)
    VALIDATOR.validate(doc)
    assert code == 3 and doc["error"]["kind"] == "limit"
    assert doc["error"]["message"].startswith("unknown: time limit")


def test_a_solver_at_the_memory_cap_is_unknown(tmp_path):
    wide = "<65536 x i64>"
    pair = tmp_path / "wide.ll"
    pair.write_text("".join(f"define {wide} @{n}({wide} %x, {wide} %y) {{\n"
                            f"  %r = mul {wide} {a}, {b}\n  ret {wide} %r\n}}\n"
                            for n, a, b in (("src", "%x", "%y"), ("tgt", "%y", "%x"))))
    code, out, err, seconds = veriopt("verify", str(pair), "--memory-limit", "400",
                                      "--time-limit", "60", "--quiet")
    # (z3 says "out of memory" where the cap stops it building the query)
    assert code == 3 and ("memory limit" in out or "out of memory" in out), (out, err)
    assert "Traceback" not in err


def test_a_preprocessor_reading_dev_zero_stops_at_its_cap(tmp_path):
    src = write(tmp_path, "zero.c", '#include "/dev/zero"\nint f(int x) { return x; }\n')
    tgt = write(tmp_path, "ok.c", "int f(int x) { return x; }\n")
    code, out, err, seconds = veriopt("verify-c", src, tgt, "-f", "f", wall=120)
    assert code == 3, (out, err)
    assert out.startswith("unknown: memory limit: ") and "4096 MB" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("flags", [["--time-limit", "0"], ["--time-limit", "-1"],
                                   ["--memory-limit", "10"], ["--memory-limit", "lots"]])
def test_bad_limits_are_usage_errors(tmp_path, flags):
    code, out, err, _ = veriopt("verify", chain(tmp_path, 2), *flags)
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_help_documents_the_defaults():
    code, out, _, _ = veriopt("verify", "--help")
    assert code == 0
    assert "--time-limit S" in out and "default 600" in out
    assert "--memory-limit MB" in out and "default 8192" in out
    _, out, _, _ = veriopt("optimize", "--help")
    assert "--budget + 600" in out


def test_kill_9_of_optimize_leaves_no_worker_and_loses_no_verified_result(tmp_path):
    import os
    import signal
    rotl = tmp_path / "rotl.ll"
    rotl.write_text((ROOT / "veriopt" / "corpus" / "optimize" / "rotl.ll").read_text())
    store = tmp_path / "s.sqlite"
    cmd = [sys.executable, "-m", "veriopt.cli", "optimize", str(rotl), "--store", str(store),
           "--agents", "rules,superopt", "--no-timing", "--budget", "120s"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "ACCEPTED" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    time.sleep(0.5)
    workers = [p for p in Path("/proc").iterdir() if p.name.isdigit()
               and str(store).encode() in _cmdline(p)]
    assert not workers                 # the worker died with its supervisor
    done = subprocess.run(cmd[:-5] + ["--agents", "rules", "--no-timing", "--quiet"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0 and "from rules" in done.stdout, done.stderr


def _cmdline(proc_dir: Path) -> bytes:
    try:
        return (proc_dir / "cmdline").read_bytes()
    except OSError:
        return b""
