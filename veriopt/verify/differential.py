"""Differential testing of veriopt's verifier against alive-tv (Alive2), the
referee nobody on this project wrote.

One pair (a module with @src and @tgt, from `random_ir`) goes through
veriopt in-process and through alive-tv in a child process, with
comparable solver timeouts; `classify` names the outcome:

    both-correct       both prove it
    both-incorrect     both refute it (`errors_agree` says whether the kinds match)
    unsound            veriopt correct, alive-tv incorrect      <- a soundness bug
    false-alarm        veriopt incorrect, alive-tv correct      <- a precision bug
    veriopt-undecided  alive-tv decided, veriopt did not (unknown, unsupported,
                       bounded, crashed, out of time)
    alive-undecided    alive-tv did not decide (timeout, unsupported, crash)
    invalid            the pair could not be generated or LLVM rejected it

`run_pairs` runs many pairs in parallel, each in a forked child process with
a wall-clock limit, so a hang or a crash of either checker costs one pair,
never the run. For disagreements it re-runs both checkers without undef
inputs (and without poison inputs) to say which input class is involved.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from veriopt.verify import alive_tv as A

BOTH_CORRECT = "both-correct"
BOTH_INCORRECT = "both-incorrect"
UNSOUND = "unsound"
FALSE_ALARM = "false-alarm"
VERIOPT_UNDECIDED = "veriopt-undecided"
ALIVE_UNDECIDED = "alive-undecided"
INVALID = "invalid"
CATEGORIES = (BOTH_CORRECT, BOTH_INCORRECT, UNSOUND, FALSE_ALARM, VERIOPT_UNDECIDED,
              ALIVE_UNDECIDED, INVALID)
DISAGREEMENTS = (UNSOUND, FALSE_ALARM, VERIOPT_UNDECIDED)
ERROR_KIND = "error-kind"   # both refute, with different error kinds (kept, not a failure)
DECIDED = ("correct", "incorrect")

# re-runs of a disagreement with fewer kinds of inputs: (name, alive-tv flags, VerifyOptions)
VARIANTS = (
    ("no-undef-input", ("-disable-undef-input",), {"disable_undef_input": True}),
    ("no-undef-no-poison-input", ("-disable-undef-input", "-disable-poison-input"),
     {"disable_undef_input": True, "disable_poison_input": True}),
)


@dataclass
class Side:
    """One checker's answer on one pair."""
    status: str                 # correct incorrect unknown unsupported bounded crashed timeout invalid
    error: str | None = None    # Alive2's error kind when incorrect
    reason: str | None = None   # why not decided
    seconds: float = 0.0
    output: str = ""            # alive-tv's output / veriopt's rendering

    @property
    def decided(self) -> bool:
        return self.status in DECIDED

    def short(self) -> str:
        if self.status == "incorrect":
            return f"incorrect ({self.error})"
        if self.status in DECIDED:
            return self.status
        return f"{self.status} ({one_line(self.reason)})" if self.reason else self.status


def one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _group_key(text: str) -> str:
    """Reasons that differ only in numbers, names and quoted terms group together."""
    text = re.sub(r"\|[^|]*\|", "_", text)
    text = re.sub(r"[%@][\w.]+|#x[0-9a-f]+|\b\d+\b", "N", text)
    return text[:70]


@dataclass
class Outcome:
    index: int
    seed: str
    kind: str = ""
    description: str = ""
    text: str = ""
    alive: Side | None = None
    veriopt: Side | None = None
    category: str = INVALID
    errors_agree: bool | None = None
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    kept: str | None = None
    seconds: float = 0.0
    problem: str | None = None   # generation failure, or what the wall-clock limit cut

    def to_json(self, with_text: bool = True) -> dict:
        d = asdict(self)
        for k in ("alive", "veriopt"):
            if d[k]:
                d[k].pop("output", None)
        if not with_text:
            d.pop("text")
        return d


# ---- locating alive-tv -----------------------------------------------------------

def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def locate_alive_tv() -> tuple[str | None, str]:
    """(executable, "") or (None, why not): $VERIOPT_ALIVE_TV, else
    <repo>/../shared/tools/alive2/run-alive-tv, else `alive-tv` on PATH."""
    env = os.environ.get(A.ENV_VAR)
    if env:
        candidates = [env]
    else:
        candidates = []
        for root in (repo_root(), Path.cwd()):
            p = root.parent / "shared" / "tools" / "alive2" / "run-alive-tv"
            if p.exists() and str(p) not in candidates:
                candidates.append(str(p))
        on_path = shutil.which("alive-tv")
        if on_path:
            candidates.append(on_path)
    if not candidates:
        return None, ("alive-tv not found (set $VERIOPT_ALIVE_TV, or install Alive2's "
                      "alive-tv on PATH)")
    first_problem = ""
    for exe in candidates:
        problem = _cannot_start(exe)
        if not problem:
            return exe, ""
        first_problem = first_problem or problem
    return None, first_problem


def _cannot_start(exe: str) -> str:
    if not os.access(exe, os.X_OK):
        return f"alive-tv at {exe} is not executable"
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"alive-tv at {exe} cannot start: {exc}"
    if proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}")
        return f"alive-tv at {exe} cannot start: " + " ".join(msg.splitlines()[:2])
    return ""


# ---- one pair ---------------------------------------------------------------------

def classify(veriopt_status: str, alive_status: str) -> str:
    if veriopt_status == "invalid" or alive_status == "invalid":
        return INVALID
    if alive_status not in DECIDED:
        return ALIVE_UNDECIDED
    if veriopt_status == "correct":
        return BOTH_CORRECT if alive_status == "correct" else UNSOUND
    if veriopt_status == "incorrect":
        return BOTH_INCORRECT if alive_status == "incorrect" else FALSE_ALARM
    return VERIOPT_UNDECIDED


def run_alive(text: str, exe: str, timeout: float, flags: tuple[str, ...] = (),
              wall: float | None = None) -> Side:
    start = time.perf_counter()
    r = A.check_text(text, exe, smt_timeout_ms=int(timeout * 1000), flags=flags,
                     wall_seconds=wall or max(30.0, 6 * timeout))
    status = r.status
    if status == A.UNKNOWN and r.error == "wall-clock limit":
        status = "timeout"
    return Side(status, r.error if r.status == A.INCORRECT else None,
                None if r.status == A.INCORRECT else r.error,
                time.perf_counter() - start, r.output)


def run_veriopt(text: str, timeout: float, **options) -> Side:
    """veriopt's verdict on the module's @src/@tgt, in this process."""
    from veriopt.ir.loader import load_text
    from veriopt.verify.api import verify_modules
    from veriopt.verify.refinement import VerifyOptions
    from veriopt.errors import BadInput, Unsupported
    start = time.perf_counter()
    try:
        mod = load_text(text, "<pair>")
        verdicts = verify_modules(mod, options=VerifyOptions(timeout=timeout, **options))
    except Unsupported as exc:
        return Side("unsupported", reason=exc.feature, seconds=time.perf_counter() - start)
    except BadInput as exc:
        return Side("invalid", reason=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:   # a defect of veriopt: visible, never a verdict
        last = traceback.format_exc().strip().splitlines()
        return Side("crashed", reason=f"{type(exc).__name__}: {exc}"[:300],
                    seconds=time.perf_counter() - start, output="\n".join(last[-12:]))
    v = verdicts[0]
    reason = v.reason
    if v.status.value == "bounded":
        reason = f"bounded to {v.bound} iterations"
    return Side(v.status.value, v.error if v.status.value == "incorrect" else None, reason,
                time.perf_counter() - start, v.render())


def compare_text(text: str, exe: str, timeout: float = 5.0, diagnose: bool = True,
                 outcome: Outcome | None = None, send: Callable | None = None,
                 always_veriopt: bool = False) -> Outcome:
    """Both checkers on one module; fills (and returns) `outcome`. `send`
    receives partial results as they come (the parallel runner's pipe).
    veriopt is not run where alive-tv is undecided, unless `always_veriopt`."""
    out = outcome or Outcome(index=0, seed="")
    out.text = text
    out.alive = run_alive(text, exe, timeout)
    if send:
        send(("alive", out.alive))
    if out.alive.decided or always_veriopt:
        out.veriopt = run_veriopt(text, timeout)
    else:   # nothing to compare with: spare the time
        out.veriopt = Side("skipped", reason="alive-tv undecided")
    if send:
        send(("veriopt", out.veriopt))
    _finish(out)
    if diagnose and out.category in (UNSOUND, FALSE_ALARM):
        for name, flags, opts in VARIANTS:
            a = run_alive(text, exe, timeout, flags)
            v = run_veriopt(text, timeout, **opts)
            out.variants[name] = {"alive-tv": a.short(), "veriopt": v.short(),
                                  "category": classify(v.status, a.status)}
            if send:
                send(("variant", name, out.variants[name]))
            if out.variants[name]["category"] not in (UNSOUND, FALSE_ALARM):
                break   # the smallest input class that still disagrees is known
    return out


def _finish(out: Outcome) -> None:
    if out.problem and out.alive is None:
        out.category = INVALID
        return
    a = out.alive.status if out.alive else "timeout"
    v = out.veriopt.status if out.veriopt else "timeout"
    out.category = classify(v, a)
    if out.category == BOTH_INCORRECT:
        out.errors_agree = out.alive.error == out.veriopt.error


def compare_pair(pair, exe: str, timeout: float = 5.0, diagnose: bool = True) -> Outcome:
    """`compare_text` on a `random_ir.Pair`."""
    seed, _, index = pair.seed.rpartition(":")
    out = Outcome(index=int(index) if index.isdigit() else 0, seed=seed, kind=pair.kind,
                  description=pair.description)
    return compare_text(pair.text, exe, timeout, diagnose, out)


# ---- many pairs, in parallel ------------------------------------------------------------

@dataclass
class RunConfig:
    seed: int | str
    timeout: float = 5.0           # seconds per solver query, both checkers
    wall: float = 0.0              # per pair; 0: derived from timeout
    diagnose: bool = True
    p_opt: float = 0.3

    @property
    def pair_wall(self) -> float:
        return self.wall or max(20.0, 4 * self.timeout + 10)


def _child(conn, index: int, cfg: RunConfig, exe: str) -> None:
    import signal
    from veriopt.verify import random_ir as R
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    try:
        try:
            pair = R.pair_for(cfg.seed, index, p_opt=cfg.p_opt)
        except Exception as exc:   # noqa: BLE001 - reported as an invalid pair
            conn.send(("problem", f"generation failed: {type(exc).__name__}: {exc}"))
            return
        conn.send(("pair", pair.kind, pair.description, pair.text))
        compare_text(pair.text, exe, cfg.timeout, cfg.diagnose, send=conn.send)
        conn.send(("done",))
    finally:
        conn.close()


def _apply(out: Outcome, msg) -> bool:
    """Fold one message from a child into the outcome; True when it is the last."""
    tag = msg[0]
    if tag == "pair":
        _, out.kind, out.description, out.text = msg
    elif tag == "alive":
        out.alive = msg[1]
    elif tag == "veriopt":
        out.veriopt = msg[1]
    elif tag == "variant":
        out.variants[msg[1]] = msg[2]
    elif tag == "problem":
        out.problem = msg[1]
        return True
    return tag == "done"


def run_pairs(indices, cfg: RunConfig, exe: str, jobs: int = 2,
              on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Pairs `indices` of the run seeded `cfg.seed`, `jobs` at a time, each in
    a forked child with a wall-clock limit of `cfg.pair_wall` seconds."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    # import the heavy modules once, before forking
    import veriopt.verify.api  # noqa: F401
    import veriopt.verify.random_ir  # noqa: F401
    from veriopt.ir.loader import _llvm
    _llvm()

    ctx = mp.get_context("fork")
    pending = list(indices)[::-1]
    running: dict = {}     # connection -> (process, outcome, start)
    results: list[Outcome] = []

    def finish(conn, problem: str | None = None) -> None:
        proc, out, start = running.pop(conn)
        if problem:
            if proc.is_alive():
                proc.kill()
            out.problem = problem
        proc.join(5)
        conn.close()
        out.seconds = time.perf_counter() - start
        if out.alive is not None and out.veriopt is None:
            cut = problem or _death(proc)
            out.veriopt = Side("timeout" if problem else "crashed", reason=cut,
                               seconds=out.seconds)
        elif out.alive is None and out.problem is None:
            out.problem = problem or _death(proc)
        _finish(out)
        results.append(out)
        if on_outcome:
            on_outcome(out)

    try:
        while pending or running:
            while pending and len(running) < jobs:
                index = pending.pop()
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(send, index, cfg, exe), daemon=True)
                proc.start()
                send.close()
                running[receive] = (proc, Outcome(index=index, seed=str(cfg.seed)),
                                    time.perf_counter())
            for conn in wait(list(running), timeout=0.25):
                try:
                    while True:
                        if _apply(running[conn][1], conn.recv()):
                            finish(conn)
                            break
                        if not conn.poll():
                            break
                except (EOFError, OSError):
                    finish(conn)
            now = time.perf_counter()
            for conn, (proc, out, start) in list(running.items()):
                if now - start > cfg.pair_wall:
                    finish(conn, f"wall-clock limit of {cfg.pair_wall:.0f}s per pair")
    finally:
        for conn, (proc, _, _) in list(running.items()):
            proc.kill()
            proc.join(5)
            conn.close()
    results.sort(key=lambda o: o.index)
    return results


def _death(proc) -> str:
    code = proc.exitcode
    if code is None:
        return "no answer"
    if code < 0:
        return f"checker process died with signal {-code}"
    return f"checker process exited with status {code} before answering"


# ---- summaries and kept files ----------------------------------------------------------------

def summarize(outcomes: list[Outcome]) -> dict:
    counts = {c: 0 for c in CATEGORIES}
    for o in outcomes:
        counts[o.category] += 1
    decided = [o for o in outcomes if o.alive and o.alive.decided and o.category != INVALID]
    alive_correct = sum(o.alive.status == "correct" for o in decided)
    both_inc = [o for o in outcomes if o.category == BOTH_INCORRECT]
    undecided_reasons: dict[str, int] = {}
    shown: dict[str, str] = {}     # reasons of one shape: the first one stands for all
    for o in outcomes:
        if o.category == VERIOPT_UNDECIDED:
            text = o.veriopt.short() if o.veriopt else "no answer"
            key = shown.setdefault(_group_key(text), text)
            undecided_reasons[key] = undecided_reasons.get(key, 0) + 1
    return {
        "pairs": len(outcomes),
        "counts": counts,
        "alive_decided": len(decided),
        "percent_of_decided": {c: (100.0 * counts[c] / len(decided) if decided else 0.0)
                               for c in (BOTH_CORRECT, BOTH_INCORRECT, UNSOUND, FALSE_ALARM,
                                         VERIOPT_UNDECIDED)},
        "alive_correct": alive_correct,
        "alive_incorrect": len(decided) - alive_correct,
        "errors_agree": sum(bool(o.errors_agree) for o in both_inc),
        "both_incorrect": len(both_inc),
        "veriopt_undecided_reasons": dict(sorted(undecided_reasons.items(),
                                                 key=lambda kv: -kv[1])),
        "groups": groups(outcomes),
    }


def signature(o: Outcome, key: bool = False) -> str:
    """What a disagreement looks like: both verdicts and the smallest input
    class in which it persists. `key`: the form pairs are grouped by."""
    a = o.alive.short() if o.alive else "no answer"
    v = o.veriopt.short() if o.veriopt else "no answer"
    if o.category == BOTH_INCORRECT:
        return f"{ERROR_KIND}: alive-tv {o.alive.error}, veriopt {o.veriopt.error}"
    if o.category == VERIOPT_UNDECIDED:
        return f"{o.category}: veriopt {_group_key(v) if key else v}"
    sig = f"{o.category}: alive-tv {a}, veriopt {v}"
    if o.variants:
        flags = {name: " ".join(f) for name, f, _ in VARIANTS}
        gone = [n for n, r in o.variants.items() if r["category"] not in (UNSOUND, FALSE_ALARM)]
        if gone:
            r = o.variants[gone[0]]
            sig += f"; with {flags[gone[0]]}: {r['category']}"
        else:
            sig += "; persists without undef and poison inputs"
    return sig


def groups(outcomes: list[Outcome]) -> list[dict]:
    g: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if worth_keeping(o):
            g.setdefault(signature(o, key=True), []).append(o)
    out = []
    order = {c: k for k, c in enumerate((UNSOUND, FALSE_ALARM, ERROR_KIND, VERIOPT_UNDECIDED))}
    for sig, members in sorted(g.items(), key=lambda kv: (order[kv[0].split(":")[0]],
                                                          -len(kv[1]))):
        smallest = min(members, key=lambda o: (len(o.text), o.index))
        out.append({"signature": signature(smallest), "count": len(members),
                    "indices": [o.index for o in members],
                    "smallest": smallest.index, "smallest_file": smallest.kept})
    return out


def worth_keeping(o: Outcome) -> bool:
    """Disagreements, and refutations whose error kinds differ."""
    return o.category in DISAGREEMENTS or (o.category == BOTH_INCORRECT and not o.errors_agree)


def keep(o: Outcome, folder: Path, exe: str, timeout: float, suffix: str = "") -> Path:
    """The disagreement as a standalone .ll file: both verdicts in the
    header; alive-tv's verdict as the `; ERROR:` line (none if correct), so
    `veriopt conformance FOLDER` scores veriopt against alive-tv."""
    folder.mkdir(parents=True, exist_ok=True)
    label = ERROR_KIND if o.category == BOTH_INCORRECT else o.category
    path = folder / f"{label}-s{_safe(o.seed)}-{o.index:05d}{suffix}.ll"
    a, v = o.alive, o.veriopt
    lines = [
        f"; veriopt vs alive-tv: {label}",
        f"; pair {o.index} of seed {o.seed}: scripts/differential.py --seed {o.seed} --only {o.index}",
        f"; target: {o.kind}: {o.description}" if o.kind != "mutation" else f"; target: {o.description}",
        f"; alive-tv: {a.short() if a else 'no answer'}   "
        f"[{os.path.basename(exe)} -smt-to={int(timeout * 1000)}, {a.seconds if a else 0:.1f}s]",
        f"; veriopt:  {v.short() if v else 'no answer'}   "
        f"[timeout {timeout:g}s per query, {v.seconds if v else 0:.1f}s]",
    ]
    flags = {name: " ".join(f) for name, f, _ in VARIANTS}
    for name, r in o.variants.items():
        lines.append(f"; with {flags.get(name, name)}: alive-tv {r['alive-tv']}, "
                     f"veriopt {r['veriopt']} -> {r['category']}")
    if a and a.status == "incorrect":
        lines.append(f"; ERROR: {a.error}")
    lines.append(";")
    if a and a.output:
        lines.append("; alive-tv says:")
        lines += [f"; | {ln}" for ln in _verdict_part(a.output)]
    if v and v.output:
        lines.append("; veriopt says:")
        lines += [f"; | {ln}" for ln in v.output.strip().splitlines()[:40]]
    path.write_text("\n".join(lines) + "\n\n" + o.text)
    if not suffix:
        o.kept = str(path)
    return path


def _verdict_part(output: str) -> list[str]:
    """alive-tv's output from the verdict on (the functions it echoes are in the file)."""
    lines = output.strip().splitlines()
    for k, ln in enumerate(lines):
        if ln.startswith(("Transformation", "ERROR:")):
            return [x for x in lines[k:] if x.strip()][:40]
    return lines[-20:]


def _safe(seed) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(seed))


# ---- reducing a disagreement --------------------------------------------------------------

_DEFINE = re.compile(r"^define [^@]*@([\w.$-]+)\((.*)\).*\{$")
_INSTR = re.compile(r"^\s+%([\w.$-]+) = (.*)$")


def _uses(name: str) -> re.Pattern:
    return re.compile(r"%" + re.escape(name) + r"(?![\w.$-])")


def _bodies(lines: list[str]) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, parameter names) of each definition."""
    out, start, params = [], None, []
    for k, ln in enumerate(lines):
        m = _DEFINE.match(ln)
        if m:
            start, params = k, re.findall(r"%([\w.$-]+)", m.group(2))
        elif ln.startswith("}") and start is not None:
            out.append((start, k, params))
            start = None
    return out


def reduction_candidates(text: str):
    """Smaller variants of a module: an instruction removed from both
    functions at once (or from one), its uses replaced by one of its
    operands, a parameter, 0 or poison; dead instructions removed."""
    lines = text.splitlines()
    bodies = _bodies(lines)
    defs = []   # (line, body index, name, rhs)
    for b, (s, e, _) in enumerate(bodies):
        for k in range(s + 1, e):
            m = _INSTR.match(lines[k])
            if m:
                defs.append((k, b, m.group(1), m.group(2)))

    def used(name: str, b: int, ls: list[str]) -> bool:
        s, e, _ = bodies[b]
        pat = _uses(name)
        return any(pat.search(ls[k]) for k in range(s + 1, e + 1)
                   if not ls[k].lstrip().startswith(f"%{name} ="))

    def removing(targets, repl: str) -> str:
        ls = list(lines)
        for k, b, name, _ in targets:
            s, e, _ = bodies[b]
            pat = _uses(name)
            for j in range(s + 1, e + 1):
                if j != k:
                    ls[j] = pat.sub(repl, ls[j])
            ls[k] = None  # type: ignore[call-overload]
        return "\n".join(x for x in ls if x is not None) + "\n"

    dead = [d for d in defs if not used(d[2], d[1], lines)]
    if dead:
        yield removing(dead, "poison")
    yield from _without_unused_parameters(lines, bodies)
    by_name: dict[str, list] = {}
    for d in defs:
        by_name.setdefault(d[2], []).append(d)
    for group in ([g for g in by_name.values() if len(g) > 1]
                  + [[d] for d in defs]):
        k, b, name, rhs = group[0]
        options = [t for t in dict.fromkeys(re.findall(r"%([\w.$-]+)", rhs)) if t != name]
        options += [p for p in bodies[b][2] if p not in options]
        for r in [f"%{t}" for t in options] + ["0", "poison", "false"]:
            yield removing(group, r)


def _split_params(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    return parts + ([cur.strip()] if cur.strip() else [])


def _without_unused_parameters(lines: list[str], bodies):
    """A parameter position neither function reads, dropped from both."""
    if len(bodies) != 2:
        return
    sigs = []
    for s, e, _ in bodies:
        head = lines[s]
        open_, close = head.index("("), head.rindex(")")
        sigs.append((head[:open_ + 1], _split_params(head[open_ + 1:close]), head[close:]))
    n = len(sigs[0][1])
    if n != len(sigs[1][1]) or n < 2:
        return
    for pos in range(n):
        unused = True
        for (s, e, _), (_, params, _) in zip(bodies, sigs):
            m = re.search(r"%([\w.$-]+)$", params[pos])
            if not m or any(_uses(m.group(1)).search(lines[k]) for k in range(s + 1, e)):
                unused = False
        if unused:
            ls = list(lines)
            for (s, _, _), (pre, params, post) in zip(bodies, sigs):
                ls[s] = pre + ", ".join(p for k, p in enumerate(params) if k != pos) + post
            yield "\n".join(ls) + "\n"


def _tidy(text: str) -> str:
    """Declarations nothing calls any more, dropped."""
    called = set(re.findall(r"call [^@\n]*(@[\w.$-]+)", text))
    out = [ln for ln in text.splitlines()
           if not (ln.startswith("declare ") and
                   re.search(r"(@[\w.$-]+)\(", ln).group(1) not in called)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out).strip("\n") + "\n")


def _verdict_key(o: Outcome) -> tuple:
    a, v = o.alive, o.veriopt
    vkey = (v.status, v.error, _group_key(v.reason or "")) if v else None
    return (o.category, a.status if a else None, a.error if a else None, vkey)


def _forked(fn, args, wall: float):
    """fn(*args) in a forked child, None if it hangs past `wall` or dies."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run() -> None:
        send.send(fn(*args))
        send.close()

    proc = ctx.Process(target=run, daemon=True)
    proc.start()
    send.close()
    try:
        if receive.poll(wall):
            return receive.recv()
        return None
    except (EOFError, OSError):
        return None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receive.close()


def reduce_outcome(o: Outcome, exe: str, timeout: float, budget: float = 90.0,
                   wall: float | None = None) -> tuple[str, Outcome, int]:
    """Greedily shrink a disagreement while both verdicts stay the same.
    Returns (smallest text, its outcome, checks run)."""
    from veriopt.ir.loader import canonicalize
    from veriopt.errors import BadInput
    want = _verdict_key(o)
    best, best_out, checks = o.text, dataclasses.replace(o, variants={}, kept=None), 0
    deadline = time.perf_counter() + budget
    wall = wall or max(20.0, 4 * timeout + 10)
    progress = True
    while progress and time.perf_counter() < deadline:
        progress = False
        for cand in reduction_candidates(best):
            if time.perf_counter() > deadline:
                break
            if len(cand) >= len(best):
                continue
            try:
                canonicalize(cand)
            except BadInput:
                continue
            checks += 1
            out = _forked(compare_text, (cand, exe, timeout, False), wall)
            if out is not None and _verdict_key(out) == want:
                best, best_out, progress = cand, out, True
                break
    tidy = _tidy(best)
    if tidy != best:
        best_out.text = best = tidy
    best_out.index, best_out.seed = o.index, o.seed
    best_out.kind, best_out.description = o.kind, o.description + " (reduced)"
    return best, best_out, checks
