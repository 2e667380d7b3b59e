"""Score the verifier against Alive2-style test files.

A test file holds @src/@tgt pairs; a `; ERROR: <text>` line means that
error is expected, no such line means `correct`. A `manifest.jsonl` beside
the tests, when present, gives each file's expected verdict, alive-tv
flags and tags. A test passes when the verdict matches and, for incorrect
tests, the printed output contains the expected ERROR text; `bounded`
matches an expected `correct` only where alive-tv itself ran with an unroll
bound. A test is *unsound* when we say correct (or bounded) where incorrect
is expected.
"""
from __future__ import annotations

import json
import multiprocessing
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from veriopt.limits import SOLVER_SECONDS
from veriopt.verify.solvers import DEFAULT_SOLVER

SCORED = ("correct", "incorrect")


@dataclass
class Case:
    file: str
    path: str
    expected: str                 # correct | incorrect | unsupported | other ...
    error: str | None = None
    args: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    scored: bool = True          # manifests leave unsupported/other unscored


@dataclass
class Outcome:
    file: str
    expected: str
    got: str                      # correct | bounded | incorrect | unknown | unsupported | bad-input
    passed: bool
    unsound: bool
    seconds: float
    detail: str = ""
    tags: list[str] = field(default_factory=list)
    scored: bool = True


_ERROR_LINE = re.compile(r"^\s*;\s*ERROR:\s*(.*?)\s*$", re.M)
# our own extension, for cases whose expected verdict is neither: `; VERDICT: unsupported`
_VERDICT_LINE = re.compile(r"^\s*;\s*VERDICT:\s*(\w+)\s*$", re.M)


def discover(folder: str | Path) -> list[Case]:
    folder = Path(folder)
    manifest = folder / "manifest.jsonl"
    cases = []
    if manifest.exists():
        for line in manifest.read_text().splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            cases.append(Case(item["file"], str(folder / item["file"]), item["verdict"],
                              item.get("error"), item.get("args", []), item.get("tags", []),
                              scored=item["verdict"] in SCORED))
        return cases
    for path in sorted(folder.rglob("*.ll")):
        text = path.read_text(errors="replace")
        m = _ERROR_LINE.search(text)
        args = []
        for flags in re.findall(r"^\s*;\s*TEST-ARGS:(.*)$", text, re.M):
            args += flags.split()
        declared = _VERDICT_LINE.search(text)
        expected = declared.group(1) if declared else ("incorrect" if m else "correct")
        cases.append(Case(str(path.relative_to(folder)), str(path), expected,
                          f"ERROR: {m.group(1)}" if m else None, args))
    return cases


# alive-tv's on/off flags we implement: each sets the VerifyOptions field of
# the same name (dashes as underscores)
SWITCHES = ("disable-undef-input", "disable-poison-input", "disallow-ub-exploitation",
            "bidirectional", "tgt-is-asm")


def options_for(args: list[str], timeout: float, solver: str):
    """Map alive-tv's single-dash flags onto VerifyOptions. Returns the
    options, or the name of a flag we do not implement."""
    from veriopt.verify.refinement import VerifyOptions
    opts = VerifyOptions(timeout=timeout, solver=solver)
    for raw in args:
        flag, _, value = raw.lstrip("-").partition("=")
        if flag in SWITCHES:
            setattr(opts, flag.replace("-", "_"), True)
        elif flag in ("src-unroll", "tgt-unroll", "unroll"):
            n = int(value or 0)
            if flag != "tgt-unroll":
                opts.src_unroll = n
            if flag != "src-unroll":
                opts.tgt_unroll = n
        elif flag in ("quiet", "smt-to", "always-verify"):
            continue
        else:
            return f"--{flag}"
    return opts


def run_case(case: Case, timeout: float = SOLVER_SECONDS, solver: str = DEFAULT_SOLVER) -> Outcome:
    from veriopt.verify.api import verify_files
    from veriopt.verify.verdict import Status, Verdict, combine
    from veriopt.errors import BadInput
    start = time.perf_counter()
    opts = options_for(case.args, timeout, solver)
    try:
        if isinstance(opts, str):
            verdicts = [Verdict.unsupported(opts)]
        else:
            verdicts = verify_files(case.path, options=opts)
        overall = combine(verdicts)
        got = overall.status.value
        text = "\n".join(v.render() for v in verdicts)
        detail = text.splitlines()[1] if overall.status is Status.INCORRECT else text.splitlines()[0]
        if overall.status in (Status.UNKNOWN, Status.UNSUPPORTED):
            detail = overall.render()
    except BadInput as exc:
        got, text, detail = "bad-input", exc.render(), exc.render()
    except Exception as exc:  # a crash is a failed test, reported, not a verdict
        got, text, detail = "crash", repr(exc), f"internal error: {exc!r}"
    seconds = time.perf_counter() - start
    # alive-tv run with an unroll bound answers for that bound only: our
    # `bounded` at the same bound says the same thing, without the word "correct"
    same_bound = got == "bounded" and any("unroll" in a for a in case.args)
    passed = got == case.expected or (case.expected == "correct" and same_bound)
    if passed and case.expected == "incorrect" and case.error:
        passed = case.error in text
    unsound = case.expected == "incorrect" and got in ("correct", "bounded")
    return Outcome(case.file, case.expected, got, passed, unsound, seconds, detail, case.tags,
                   case.scored)


class _CaseTimeout(BaseException):  # not caught as a crash by run_case
    pass


def _worker(item):
    """One test in a worker process, under a wall-clock limit well above the
    per-query timeout, so a runaway encoding cannot stall the whole run."""
    import signal
    case, timeout, solver = item

    def expire(signum, frame):
        raise _CaseTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(int(max(60, timeout * 12)))
    start = time.perf_counter()
    try:
        return run_case(case, timeout, solver)
    except _CaseTimeout:
        return Outcome(case.file, case.expected, "unknown", False, False,
                       time.perf_counter() - start, "test exceeded its wall-clock limit",
                       case.tags, case.scored)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_all(cases: list[Case], jobs: int = 2, timeout: float = SOLVER_SECONDS,
            solver: str = DEFAULT_SOLVER, progress=None) -> list[Outcome]:
    """Run cases on `jobs` processes; results in the order of `cases`."""
    items = [(c, timeout, solver) for c in cases]
    results: dict[str, Outcome] = {}
    if jobs <= 1:
        for item in items:
            out = _worker(item)
            results[out.file] = out
            if progress:
                progress(out)
    else:
        ctx = multiprocessing.get_context("forkserver")
        with ctx.Pool(jobs, maxtasksperchild=20) as pool:
            for out in pool.imap_unordered(_worker, items):
                results[out.file] = out
                if progress:
                    progress(out)
    return [results[c.file] for c in cases]


def select(cases: list[Case], tags: list[str], exclude: list[str]) -> list[Case]:
    return [c for c in cases if all(t in c.tags for t in tags)
            and not any(t in c.tags for t in exclude)]


def summarize(outcomes: list[Outcome]) -> dict:
    scored = [o for o in outcomes if o.scored]
    times = [o.seconds for o in outcomes]
    return {
        "total": len(outcomes),
        "scored": len(scored),
        "passed": sum(o.passed for o in scored),
        "unsound": sum(o.unsound for o in outcomes),
        "false_alarms": sum(o.expected == "correct" and o.got == "incorrect" for o in outcomes),
        "unsupported": sum(o.got == "unsupported" for o in outcomes),
        "unknown": sum(o.got == "unknown" for o in outcomes),
        "bounded": sum(o.got == "bounded" for o in outcomes),
        "bad_input": sum(o.got == "bad-input" for o in outcomes),
        "crashes": sum(o.got == "crash" for o in outcomes),
        "total_seconds": round(sum(times), 3),
        "median_seconds": round(statistics.median(times), 4) if times else 0.0,
    }


# the rows of the per-tag table, as the issue tracker and Alive2's test folders group them
TABLE_TAGS = ("int", "vector", "x86", "aggregate", "loop", "mem", "ptr", "global", "call", "fp", "fmf",
              "asm")
REFERENCE_FILE = "alive-tv-results.jsonl"


def load_reference(folder: str | Path) -> dict[str, bool]:
    """alive-tv's own pass/fail per file, when the folder carries it
    (`alive-tv-results.jsonl`: one {"file", "pass"} object per line)."""
    path = Path(folder) / REFERENCE_FILE
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            out[item["file"]] = bool(item.get("pass"))
    return out


def by_tag(outcomes: list[Outcome], reference: dict[str, bool] | None = None) -> list[dict]:
    """Per tag: scored tests, passed, unsupported, unsound, and alive-tv's
    passes on the same tests (None without a reference)."""
    rows = []
    for tag in TABLE_TAGS:
        tagged = [o for o in outcomes if o.scored and tag in o.tags]
        if not tagged:
            continue
        rows.append({"tag": tag, "scored": len(tagged),
                     "passed": sum(o.passed for o in tagged),
                     "unsupported": sum(o.got == "unsupported" for o in tagged),
                     "unsound": sum(o.unsound for o in tagged),
                     "alive_tv_passed": (sum(reference.get(o.file, False) for o in tagged)
                                         if reference else None)})
    return rows


_UNSUPPORTED = re.compile(r"Unsupported: (.*)")


def feature(detail: str) -> str:
    """The feature an `unsupported` verdict names, without its particulars:
    `call to @llvm.x86.sse2.psrl.w` stays, `call to @foo` is any declared
    function, `instruction alloca` stays, `(argument %p)` is dropped."""
    m = _UNSUPPORTED.search(detail)
    text = (m.group(1) if m else detail).strip()
    text = re.sub(r"\s*\((argument|return type)[^)]*\)$", "", text)
    text = re.sub(r" on %[\w.]+( of @[\w.]+)?", "", text)      # which parameter
    text = re.sub(r"(@llvm\.[a-z_.]+?)(\.p\d+|\.[iv]\d+\w*)+$", r"\1", text)   # type manglings
    if text.startswith("call to @") and not text.startswith("call to @llvm."):
        return "call to a declared function"
    return text


def unsupported_features(outcomes: list[Outcome]) -> dict[str, int]:
    """How many tests each unsupported feature stopped, most first."""
    counts: dict[str, int] = {}
    for o in outcomes:
        if o.got == "unsupported":
            name = feature(o.detail)
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def outcome_json(o: Outcome) -> dict:
    return asdict(o)
