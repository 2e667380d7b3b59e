"""Bounded unrolling of a function's control-flow graph.

The states of the unrolled graph are (block, loop counters): taking a back
edge to a loop header increments that header's counter; entering a loop
from outside starts it at 0; leaving a loop forgets its counter. A back
edge that would go beyond the bound is *cut*: the execution is outside what
was checked, and the verdict says `bounded`. The state graph is acyclic
and is returned in topological order. An acyclic function has one state
per reachable block, so the same code serves both.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from veriopt.errors import Unsupported
from veriopt.ir.model import Function


@dataclass(frozen=True)
class State:
    block: str
    counters: tuple[tuple[str, int], ...] = ()

    @property
    def label(self) -> str:
        if not self.counters:
            return self.block
        return self.block + "#" + ".".join(str(c) for _, c in self.counters)


@dataclass
class Unrolled:
    order: list[State]                                  # topological
    preds: dict[State, list[State]] = field(default_factory=dict)
    cut: dict[State, list[str]] = field(default_factory=dict)   # state -> targets cut off
    has_loops: bool = False
    succs: dict[State, list[State]] = field(default_factory=dict)


def successors(fn: Function) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {}
    for b in fn.blocks:
        term = b.terminator
        if term.opcode == "br":
            succ[b.name] = list(term.extra["targets"])
        elif term.opcode == "switch":
            succ[b.name] = [term.extra["default"]] + [t for _, t in term.extra["cases"]]
        elif term.opcode in ("ret", "unreachable"):
            succ[b.name] = []
        else:
            raise Unsupported(f"terminator {term.opcode}")
    return succ


def _back_edges(entry: str, succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    back: set[tuple[str, str]] = set()
    on_stack: set[str] = {entry}
    seen: set[str] = {entry}
    stack = [(entry, iter(succ[entry]))]
    while stack:
        node, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            stack.pop()
            on_stack.discard(node)
            continue
        if nxt in on_stack:
            back.add((node, nxt))
        elif nxt not in seen:
            seen.add(nxt)
            on_stack.add(nxt)
            stack.append((nxt, iter(succ[nxt])))
    return back


def _loop_bodies(back: set[tuple[str, str]], succ: dict[str, list[str]]) -> dict[str, set[str]]:
    """Natural loop of each header: blocks that reach a latch without
    passing through the header."""
    preds: dict[str, list[str]] = {n: [] for n in succ}
    for n, ts in succ.items():
        for t in ts:
            preds[t].append(n)
    bodies: dict[str, set[str]] = {}
    for latch, header in back:
        body = bodies.setdefault(header, {header})
        todo = [latch]
        while todo:
            n = todo.pop()
            if n in body:
                continue
            body.add(n)
            todo.extend(preds[n])
    return bodies


def has_loops(fn: Function) -> bool:
    """Does the control-flow graph have a cycle (a back edge)?"""
    if fn.is_declaration or not fn.blocks:
        return False
    return bool(_back_edges(fn.blocks[0].name, successors(fn)))


def unroll(fn: Function, bound: int) -> Unrolled:
    succ = successors(fn)
    entry = fn.blocks[0].name
    back = _back_edges(entry, succ)
    if back and bound <= 0:
        raise Unsupported("loops (cyclic control flow; use --unroll N for a bounded check)")
    bodies = _loop_bodies(back, succ)
    for header, body in bodies.items():
        # a loop entered other than through its header is irreducible
        for n in body:
            if n != header and any(p not in body for p in succ if n in succ[p]):
                raise Unsupported("irreducible control flow")

    def counters_for(block: str, old: dict[str, int]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted((h, c) for h, c in old.items() if block in bodies[h]))

    start = State(entry)
    preds: dict[State, list[State]] = {start: []}
    cut: dict[State, list[str]] = {}
    queue = deque([start])
    succ_states: dict[State, list[State]] = {}
    while queue:
        state = queue.popleft()
        counts = dict(state.counters)
        outs = []
        for target in succ[state.block]:
            new = dict(counts)
            if (state.block, target) in back:
                new[target] = new.get(target, 0) + 1
                if new[target] > bound:
                    cut.setdefault(state, []).append(target)
                    continue
            elif target in bodies and state.block not in bodies[target]:
                new[target] = 0
            nxt = State(target, counters_for(target, new))
            if nxt not in outs:
                outs.append(nxt)
            if nxt not in preds:
                preds[nxt] = []
                queue.append(nxt)
            if state not in preds[nxt]:
                preds[nxt].append(state)
        succ_states[state] = outs
        if len(preds) > 20000:
            raise Unsupported("unrolled control flow too large")
    # Kahn's algorithm over the discovered states
    indegree = {s: len(p) for s, p in preds.items()}
    ready = deque([start])
    order: list[State] = []
    while ready:
        s = ready.popleft()
        order.append(s)
        for t in succ_states.get(s, []):
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    assert len(order) == len(preds), "unrolled graph must be acyclic"
    return Unrolled(order, preds, cut, bool(back), succ_states)
