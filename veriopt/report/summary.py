"""What a report says, in words: the summary facts and the proof details,
built once from report.json and only laid out by the Markdown, HTML and
terminal renderers, so the three can never say different things.

A `bounded` result (checked up to a loop bound) is never worded as a
proof: its verdict reads `bounded, K iterations ... — not a proof`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veriopt.verify.verdict import verdict_from_json


@dataclass(frozen=True)
class Fact:
    """One line of the summary: `name: **mark** — text`. `tone` colours the
    mark: ok (proved), warn (bounded), bad (no result, a disagreement)."""

    name: str
    text: str
    mark: str | None = None
    tone: str | None = None


def facts(report: dict[str, Any]) -> list[Fact]:
    """The summary of a run, in the order every report shows it."""
    res = report["result"]
    out = [Fact("baseline cost", cost_text(report["baseline"]["cost"]))]
    if res is None:
        out.append(Fact("result", "the input is kept", "no proved improvement", "bad"))
    else:
        out += [Fact("result", f"{res['level']} candidate {res['key']} from {res['origin']}"),
                Fact("proof", _proof_detail(res), res["proof"], tone(res["proof"])),
                Fact("checked by", checked_by_text(res, report)),
                Fact("cost", f"{cost_text(res['cost'])}, {100 * res['cost_reduction']:.1f}% "
                             "below baseline"),
                Fact("timing", speedup_line(res))]
    cands = report["candidates"]
    rc = report["rechecks"]
    skipped = sum(c["status"] == "skipped" for c in cands)
    out += [Fact("candidates", f"{len(cands)} proposed, {sum(c['accepted'] for c in cands)} "
                               "accepted" + (f", {skipped} skipped (not cheaper than the best "
                                             "known, never checked)" if skipped else "")),
            Fact("re-checked", f"{rc['checked']} accepted candidate(s) checked again without "
                               f"the cache, {rc['failed']} failed; {alive_line(report)}")]
    dropped = report["dropped"]["bounded_only"]
    if dropped:
        out.append(Fact("dropped", f"bounded only: {len(dropped)} candidate(s) checked only up "
                                   f"to a loop bound ({', '.join(dropped)}); rerun with "
                                   "--bounded label to accept them, labelled"))
    if report["disagreements"]:
        which = "; ".join(f"{d['key']} ({d['origin']}): ERROR: {d['alive_tv_error']}, module "
                          f"{d['module'] or 'not saved'}" for d in report["disagreements"])
        out.append(Fact("disagreements", f"dropped: {which}",
                        f"alive-tv disagreed on {len(report['disagreements'])} rewrite(s)", "bad"))
    run = report["run"]
    out.append(Fact("run", f"{run['id']}: {run['elapsed_seconds']:.1f}s, {run['verifications']} "
                           f"verifications, {run['cache_hits']} cache hits"
                           + (", resumed from the store" if run["resumed"] else "")))
    return out


def summary_text(report: dict[str, Any]) -> str:
    """The run's summary for a terminal (what `veriopt optimize` prints):
    the same facts as report.md and report.html, as plain lines."""
    lines = [f"function: {report['function']} in {report['input']['path']}"]
    for f in facts(report):
        lines.append(f"{f.name}: " + (f"{f.mark} — {f.text}" if f.mark else f.text))
    return "\n".join(lines)


def proof_details(res: dict[str, Any], report: dict[str, Any]) -> list[tuple[str, str]]:
    """How the result was established, item by item: checkers, verdict,
    bound, fuzzing, solver, and the commands that check it again."""
    bounded = res["proof"] == "bounded"
    verdict = res.get("verdict") or {}
    fuzzed = res.get("fuzzed")
    rows = [("checkers", checked_by_text(res, report)),
            ("verdict", _proof_detail(res)),
            ("loop bound", f"{res['bound']} iterations checked, none beyond" if bounded
             else "none: holds for every input and iteration count"),
            ("fuzzing", f"{fuzzed} inputs compared, no difference" if fuzzed is not None
             else "not fuzzed")]
    if verdict.get("solver") or verdict.get("seconds"):
        rows.append(("solver", f"{verdict.get('solver') or 'z3'}, "
                               f"{verdict.get('seconds') or 0:.2f}s"))
    rows += [("re-run", cmd) for cmd in res.get("rerun") or []]
    return rows


def _proof_detail(res: dict[str, Any]) -> str:
    """`proof_text`, said in full where the label is just the word `proved`."""
    text = proof_text(res)
    return "holds for every input and every loop iteration count" if text == "proved" else text


def tone(status: str) -> str:
    """Only `proved` is ok (green); `bounded`, not a proof, is a warning."""
    return {"proved": "ok", "bounded": "warn"}.get(status, "bad")


def lineage(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The steps that led to candidate `key`: its repair chain, oldest first."""
    by_key = {c["key"]: c for c in report["candidates"]}
    chain = []
    while key in by_key and len(chain) < 64:
        chain.append(by_key[key])
        key = by_key[key]["parent"]
    return list(reversed(chain))


def rejected(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Candidates refuted with a verdict (their counterexamples are shown)."""
    return [c for c in report["candidates"] if c["verdict"] and c["status"] == "refuted"]


def verdict_text(c: dict[str, Any]) -> str:
    return verdict_from_json(c["verdict"]).render() if c.get("verdict") else c["status"]


def proof_text(res: dict[str, Any]) -> str:
    """How a result was established, in words that never call a bounded
    check a proof: `proved (...)` or `bounded, K iterations, ... — not a proof`."""
    if res["proof"] == "bounded":
        return f"{res['label'] or 'bounded'} — not a proof"
    label = res.get("label")
    if not label:
        return res["proof"]
    return label if label.startswith(res["proof"]) else f"{res['proof']} ({label})"


def checked_by_text(item: dict[str, Any], report: dict[str, Any]) -> str:
    """`veriopt + alive-tv`, or `veriopt` and why alive-tv did not confirm it."""
    text = " + ".join(item.get("checked_by") or ["veriopt"])
    alive = item.get("alive_tv")
    if alive is not None and alive["status"] == "incorrect":
        text += f" (alive-tv refuted it: ERROR: {alive.get('error')})"
    elif alive is not None and alive["status"] != "correct":
        why = f": {alive['error']}" if alive.get("error") else ""
        text += f" (alive-tv could not decide, {alive['status']}{why}; veriopt's result kept)"
    elif alive is None and item.get("level") == "c":
        text += " (alive-tv re-checks IR rewrites only)"
    elif alive is None and not report["policy"]["alive_tv"]:
        text += " (alive-tv not available or disabled)"
    return text


def static_speedup(report: dict[str, Any], c: dict[str, Any]) -> float | None:
    """Baseline cost / candidate cost at the candidate's level (None: no cost)."""
    base = report["baseline"]["levels"].get(c["level"], {}).get("cost") or \
        report["baseline"]["cost"]
    cost = c.get("cost") or {}
    return base["weighted"] / cost["weighted"] if cost.get("weighted") else None


def speedup(timing: dict[str, Any] | None) -> float | None:
    """Measured speed-up (baseline time / candidate time), if measured."""
    ratio = (timing or {}).get("median_ratio")
    return 1 / ratio if ratio else None


def speedup_line(result: dict[str, Any]) -> str:
    timing = result.get("timing") or {}
    if "median_ratio" in timing:
        ratio = timing["median_ratio"]
        text = f"measured speed-up ×{1 / ratio:.2f}" if ratio > 0 else "measured: no time"
        text += f" (candidate/baseline time ratio {ratio:.3f}, median of {timing.get('runs')}"
        if timing.get("spread") is not None:
            text += f", spread (IQR) {timing['spread']:.3f}"
        return text + ")"
    if "error" in timing:
        return f"not measured ({timing['error']})"
    return "not measured (static cost only)"


def cost_text(c: dict[str, Any] | None) -> str:
    if not c:
        return "–"
    text = f"{c['weighted']:g} ({c['instructions']} instructions"
    if c.get("mca_cycles") is not None:
        text += f", {c['mca_cycles']:g} mca cycles"
    return text + ")"


def status_text(c: dict[str, Any]) -> str:
    """A candidate's status; a bounded one with its bound (never just 'ok')."""
    return c["label"] if c["status"] == "bounded" and c.get("label") else c["status"]


def alive_line(report: dict[str, Any]) -> str:
    a = report["rechecks"]["alive_tv"]
    if not report["policy"]["alive_tv"]:
        return "alive-tv: not available or disabled (veriopt only)"
    text = (f"alive-tv re-checked {a['checked']} IR rewrite(s): {a['correct']} correct, "
            f"{a['incorrect']} incorrect")
    return text + (f", {a['undecided']} undecided" if a["undecided"] else "")
