#!/usr/bin/env python3
"""Compare veriopt's verdicts with alive-tv's on random integer (floating-point, memory) IR pairs.

    .venv/bin/python scripts/differential.py --pairs 500 --seed 1 [--jobs 2]
        [--keep DIR] [--timeout S] [--json] [--only 12,40]
        [--kinds int,fp,mem [--fp 0.3] [--mem 0.4]]

Pair i of seed S is always the same pair (see veriopt/verify/random_ir.py):
a random function as @src and, as @tgt, opt-22's instcombine/-O3 result or
a small mutation. Every disagreement (unsound, false alarm, veriopt
undecided) is written to DIR as a standalone .ll file whose header holds
both verdicts; its `; ERROR:` line is alive-tv's, so
`veriopt conformance DIR` replays them all. Exit 1 if any pair was unsound,
3 if alive-tv cannot start (nothing compared), else 0.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from veriopt.limits import SOLVER_SECONDS  # noqa: E402
from veriopt.verify import differential as D  # noqa: E402

LABELS = {
    D.BOTH_CORRECT: ("both correct", ""),
    D.BOTH_INCORRECT: ("both incorrect", ""),
    D.UNSOUND: ("unsound", "veriopt correct, alive-tv incorrect"),
    D.FALSE_ALARM: ("false alarm", "veriopt incorrect, alive-tv correct"),
    D.VERIOPT_UNDECIDED: ("veriopt undecided", "unknown/unsupported/bounded/crashed/out of time"),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=100, metavar="N", help="pairs to generate (default 100)")
    p.add_argument("--seed", default="0", metavar="S", help="run seed (default 0)")
    p.add_argument("--jobs", type=int, default=2, help="parallel pairs (default 2)")
    p.add_argument("--keep", default="differential-out", metavar="DIR",
                   help="where disagreements are written (default differential-out/)")
    p.add_argument("--timeout", type=float, default=D.PAIR_QUERY_SECONDS, metavar="S",
                   help=f"seconds per solver query, both checkers (default "
                        f"{D.PAIR_QUERY_SECONDS:g}; veriopt's and alive-tv's own default "
                        f"is {SOLVER_SECONDS:g})")
    p.add_argument("--wall", type=float, default=0.0, metavar="S",
                   help="wall-clock limit per pair (default max(20, 4*timeout+10))")
    p.add_argument("--kinds", default="int", metavar="K,..",
                   help="kinds of pairs, any of int, fp, mem joined by commas (default int: "
                        "the integer and FP pairs of a seed are the same whatever the kinds)")
    p.add_argument("--fp", type=float, default=0.3, metavar="P",
                   help="with --kinds int,fp: the share of floating-point pairs among the "
                        "non-memory ones (default 0.3)")
    p.add_argument("--mem", type=float, default=0.4, metavar="P",
                   help="with mem and another kind: the share of memory pairs (default 0.4)")
    p.add_argument("--only", default="", metavar="I,J",
                   help="run only these pair indices of the seed (to reproduce a kept file)")
    p.add_argument("--no-diagnose", action="store_true",
                   help="do not re-run disagreements without undef/poison inputs")
    p.add_argument("--reduce", action="store_true",
                   help="shrink the smallest example of each kind of disagreement while both "
                        "verdicts stay the same (kept as ...-reduced.ll)")
    p.add_argument("--reduce-budget", type=float, default=60.0, metavar="S",
                   help="seconds of reduction per kind (default 60)")
    p.add_argument("--json", action="store_true", help="machine-readable results on stdout")
    args = p.parse_args(argv)
    kinds = tuple(k for k in ("int", "fp", "mem")
                  if k in {x.strip() for x in args.kinds.split(",")})
    if not kinds or set(args.kinds.replace(" ", "").split(",")) - {"int", "fp", "mem"}:
        p.error("--kinds takes int, fp or int,fp, and mem alone or with them (int,fp,mem)")
    if not 0.0 <= args.fp <= 1.0:
        p.error("--fp takes a share between 0 and 1")
    if not 0.0 <= args.mem <= 1.0:
        p.error("--mem takes a share between 0 and 1")

    exe, why = D.locate_alive_tv()
    if exe is None:
        print(f"differential: skipped, nothing compared: {why}", file=sys.stderr)
        return 3
    try:
        indices = ([int(x) for x in args.only.split(",") if x.strip()] if args.only
                   else list(range(args.pairs)))
    except ValueError:
        p.error("--only takes comma-separated pair numbers")
    if args.jobs < 1 or args.timeout <= 0:
        p.error("--jobs and --timeout must be positive")
    seed = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    cfg = D.RunConfig(seed=seed, timeout=args.timeout, wall=args.wall,
                      diagnose=not args.no_diagnose, kinds=kinds, p_fp=args.fp,
                      p_mem=args.mem)
    keep_dir = Path(args.keep)
    _forget_stale(keep_dir, seed, indices)

    progress = Progress(len(indices))

    def on_outcome(o: D.Outcome) -> None:
        if D.worth_keeping(o):
            D.keep(o, keep_dir, exe, args.timeout, replay=cfg.replay_flags())
        progress.update(o)

    start = time.perf_counter()
    try:
        outcomes = D.run_pairs(indices, cfg, exe, args.jobs, on_outcome)
    except KeyboardInterrupt:
        progress.close()
        print("differential: interrupted", file=sys.stderr)
        outcomes = sorted(progress.outcomes, key=lambda o: o.index)
    progress.close()
    summary = D.summarize(outcomes)
    if args.reduce and summary["groups"]:
        by_index = {o.index: o for o in outcomes}
        for k, g in enumerate(summary["groups"], 1):
            o = by_index[g["smallest"]]
            print(f"reducing {k}/{len(summary['groups'])}: pair {o.index} ({g['signature'][:70]}) ...",
                  file=sys.stderr, flush=True)
            text, reduced, checks = D.reduce_outcome(o, exe, args.timeout, args.reduce_budget,
                                                     cfg.pair_wall)
            g["reduced_file"] = str(D.keep(reduced, keep_dir, exe, args.timeout, "-reduced",
                                           replay=cfg.replay_flags()))
            g["reduced_text"] = text
            g["reduction_checks"] = checks
    seconds = time.perf_counter() - start

    if args.json:
        print(json.dumps({
            "seed": seed, "kinds": list(kinds), "p_fp": args.fp, "p_mem": args.mem, "pairs": len(indices), "jobs": args.jobs, "timeout": args.timeout,
            "alive_tv": exe, "seconds": round(seconds, 2), "summary": summary,
            "results": [o.to_json(with_text=D.worth_keeping(o) or o.category == D.INVALID)
                        for o in outcomes],
        }, indent=2))
    else:
        print_report(outcomes, summary, seed, args, seconds)
    return 1 if summary["counts"][D.UNSOUND] else 0


def print_report(outcomes, s, seed, args, seconds) -> None:
    c = s["counts"]
    n, dec = s["pairs"], s["alive_decided"]
    pct = (lambda k, tot: f"{100.0 * k / tot:5.1f}%" if tot else "   - ")
    print(f"differential: {n} pairs of seed {seed} ({args.kinds}"
          f"{f', {args.fp:g} fp' if 'int' in args.kinds and 'fp' in args.kinds else ''}"
          f"{f', {args.mem:g} mem' if 'mem' in args.kinds and ',' in args.kinds else ''}), "
          f"{args.jobs} jobs, "
          f"timeout {args.timeout:g}s per query, {seconds:.1f}s")
    print(f"alive-tv decided {dec} of {n}: correct {s['alive_correct']} "
          f"({pct(s['alive_correct'], dec).strip()}), incorrect {s['alive_incorrect']} "
          f"({pct(s['alive_incorrect'], dec).strip()})")
    print()
    print(f"  {'':20}{'pairs':>6}  {'of decided':>10}")
    for key, (label, note) in LABELS.items():
        print(f"  {label:20}{c[key]:6d}  {pct(c[key], dec):>10}  {note}")
    print(f"  {'alive-tv undecided':20}{c[D.ALIVE_UNDECIDED]:6d}  {'':10}  "
          f"({pct(c[D.ALIVE_UNDECIDED], n).strip()} of all pairs)")
    if c[D.INVALID]:
        print(f"  {'invalid pairs':20}{c[D.INVALID]:6d}  {'':10}  (a generator problem)")
    if s["both_incorrect"]:
        print(f"\nerror kinds agree on {s['errors_agree']} of {s['both_incorrect']} "
              f"pairs both refute")
        for o in outcomes:
            if o.category == D.BOTH_INCORRECT and not o.errors_agree:
                print(f"  pair {o.index}: alive-tv {o.alive.error}; veriopt {o.veriopt.error}"
                      f"  {o.kept or ''}")
    if s["veriopt_undecided_reasons"]:
        print("\nveriopt undecided:")
        for reason, k in s["veriopt_undecided_reasons"].items():
            print(f"  {k:4d}  {reason}")
    undecided_alive = [o for o in outcomes if o.category == D.ALIVE_UNDECIDED]
    if undecided_alive:
        print("\nalive-tv undecided: " + ", ".join(
            f"{o.index} ({o.alive.short() if o.alive else 'no answer'})" for o in undecided_alive[:10])
            + (" ..." if len(undecided_alive) > 10 else ""))
    for o in outcomes:
        if o.category == D.INVALID:
            print(f"invalid pair {o.index}: {o.problem or (o.veriopt and o.veriopt.reason)}")
    if s["groups"]:
        print("\ndisagreements by kind (count, kind, its smallest example):")
        for g in s["groups"]:
            print(f"  {g['count']:4d}  {g['signature']}")
            print(f"        e.g. {g['smallest_file'] or 'pair ' + str(g['smallest'])}")
            if g.get("reduced_file"):
                print(f"        reduced: {g['reduced_file']}")
        print("\nfiles (replay them with `veriopt conformance DIR`):")
        for o in outcomes:
            if o.kept:
                print(f"  {o.kept}")


def _forget_stale(folder: Path, seed, indices) -> None:
    """Files of earlier runs for the same pairs would describe old verdicts."""
    if not folder.is_dir():
        return
    tag = D.safe_name(seed)
    wanted = {f"-s{tag}-{i:05d}{suffix}.ll" for i in indices for suffix in ("", "-reduced")}
    for f in folder.glob(f"*-s{tag}-*.ll"):
        if any(f.name.endswith(w) for w in wanted):
            f.unlink()


class Progress:
    """One updating line on a terminal, a line per 10% otherwise."""

    def __init__(self, total: int):
        self.total = total
        self.outcomes: list = []
        self.tty = sys.stderr.isatty()
        self.start = time.perf_counter()
        self.counts = {c: 0 for c in D.CATEGORIES}
        self.step = max(1, total // 10)

    def update(self, o) -> None:
        self.outcomes.append(o)
        self.counts[o.category] += 1
        done = len(self.outcomes)
        if o.category in (D.UNSOUND, D.FALSE_ALARM, D.INVALID):
            self._clear()
            print(f"  {o.category}: pair {o.index}: alive-tv "
                  f"{o.alive.short() if o.alive else '-'}, veriopt "
                  f"{o.veriopt.short() if o.veriopt else '-'}  {o.kept or o.problem or ''}",
                  file=sys.stderr, flush=True)
        line = (f"[{done}/{self.total}] {time.perf_counter() - self.start:.0f}s  " + "  ".join(
            f"{k} {v}" for k, v in self.counts.items() if v))
        if self.tty:
            print("\r" + line[:160].ljust(100), end="", file=sys.stderr, flush=True)
        elif done % self.step == 0 or done == self.total:
            print(line, file=sys.stderr, flush=True)

    def _clear(self) -> None:
        if self.tty:
            print("\r" + " " * 110 + "\r", end="", file=sys.stderr)

    def close(self) -> None:
        if self.tty and self.outcomes:
            print(file=sys.stderr)
        self.tty = False


if __name__ == "__main__":
    sys.exit(main())
