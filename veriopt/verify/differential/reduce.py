"""Reducing a disagreement: smaller variants of the module (an instruction,
a parameter, a store or memory call, an unused global dropped), kept while
both verdicts stay the same.
"""
from __future__ import annotations

import dataclasses
import re
import time

from veriopt.verify.differential.outcome import Outcome, group_key
from veriopt.verify.differential.running import compare_text

# seconds of reduction for one disagreement
REDUCE_SECONDS = 90.0

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
        for r in [f"%{t}" for t in options] + ["0", "0.0", "poison", "false"]:
            yield removing(group, r)
    yield from _without_statements(lines, bodies)
    yield from _without_unused_globals(lines)


_STATEMENT = re.compile(r"^\s+(store |call void |tail call void )")


def _without_statements(lines: list[str], bodies):
    """A statement with no result (store, memset, ...) dropped from both
    functions where both have it, then from either alone."""
    inside = {k for s, e, _ in bodies for k in range(s + 1, e)}
    stmts = [k for k in sorted(inside) if _STATEMENT.match(lines[k])]
    seen = set()
    for k in stmts:
        text = lines[k].strip()
        if text in seen:
            continue
        seen.add(text)
        same = [j for j in stmts if lines[j].strip() == text]
        groups = ([same] if len(same) > 1 else []) + [[j] for j in same]
        for group in groups:
            yield "\n".join(ln for j, ln in enumerate(lines) if j not in group) + "\n"


def _without_unused_globals(lines: list[str]):
    """A global definition nothing else mentions, dropped."""
    for k, ln in enumerate(lines):
        m = re.match(r"^@([\w.$-]+) = ", ln)
        if m and not any(re.search(r"@" + re.escape(m.group(1)) + r"(?![\w.$-])", other)
                         for j, other in enumerate(lines) if j != k):
            yield "\n".join(x for j, x in enumerate(lines) if j != k) + "\n"


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


def tidy_declarations(text: str) -> str:
    """Declarations nothing calls any more, dropped."""
    called = set(re.findall(r"call [^@\n]*(@[\w.$-]+)", text))
    out = [ln for ln in text.splitlines()
           if not (ln.startswith("declare ") and
                   re.search(r"(@[\w.$-]+)\(", ln).group(1) not in called)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out).strip("\n") + "\n")


def _verdict_key(o: Outcome) -> tuple:
    a, v = o.alive, o.veriopt
    vkey = (v.status, v.error, group_key(v.reason or "")) if v else None
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


def reduce_outcome(o: Outcome, exe: str, timeout: float,
                   budget: float = REDUCE_SECONDS,
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
    tidy = tidy_declarations(best)
    if tidy != best:
        best_out.text = best = tidy
    best_out.index, best_out.seed = o.index, o.seed
    best_out.kind, best_out.description = o.kind, o.description + " (reduced)"
    return best, best_out, checks
