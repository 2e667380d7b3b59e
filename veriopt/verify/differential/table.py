"""The agreement table of a run (`summarize`), disagreements grouped by
what they look like, and each kept as a standalone .ll file that
`veriopt conformance` can replay.
"""
from __future__ import annotations

import os
from pathlib import Path

from veriopt.verify.differential.outcome import (
    ALIVE_UNDECIDED, BOTH_CORRECT, BOTH_INCORRECT, CATEGORIES, DISAGREEMENTS, ERROR_KIND,
    FALSE_ALARM, INVALID, UNSOUND, VARIANTS, VERIOPT_UNDECIDED, Outcome, group_key,
)

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
            key = shown.setdefault(group_key(text), text)
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
        return f"{o.category}: veriopt {group_key(v) if key else v}"
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


def keep(o: Outcome, folder: Path, exe: str, timeout: float, suffix: str = "",
         replay: str = "") -> Path:
    """The disagreement as a standalone .ll file: both verdicts in the
    header; alive-tv's verdict as the `; ERROR:` line (none if correct), so
    `veriopt conformance FOLDER` scores veriopt against alive-tv. `replay`:
    the script's flags besides --seed and --only that make the same pair."""
    folder.mkdir(parents=True, exist_ok=True)
    label = ERROR_KIND if o.category == BOTH_INCORRECT else o.category
    path = folder / f"{label}-s{safe_name(o.seed)}-{o.index:05d}{suffix}.ll"
    a, v = o.alive, o.veriopt
    lines = [
        f"; veriopt vs alive-tv: {label}",
        f"; pair {o.index} of seed {o.seed}: scripts/differential.py --seed {o.seed}{replay} --only {o.index}",
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


def safe_name(seed) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(seed))
