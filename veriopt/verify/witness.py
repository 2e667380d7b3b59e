"""Witnesses for the source's undef choices, so most refinement queries
need no quantifier.

`∀ src-choices . B` implies `B[src-choices := t]` for any terms t, so when
the quantifier-free instance is unsatisfiable there is no counterexample
(see refinement.decide). A good guess lets each undef read of the source
pick what the corresponding read of the target picks. Reads correspond by
their `UseKey` (translation/ir_smt/function.py): which value was read (an
argument by position, the returned value, else by name), the how-many-th
read, and what it copies, down to an argument's or a constant's undef.
Rewrites rename and restructure, so the match is tried from the most
specific to the loosest: the same key; the same outer value and the same
innermost read; the same outer value and root; then the same key one level
in (the target may read further up, e.g. behind a freeze). A read with no
match at all takes the target's k-th copy of the same root.
"""
from __future__ import annotations

from typing import Callable, Iterator

import z3

from veriopt.translation.ir_smt.function import Encoding, UseKey


def _innermost(key: UseKey) -> UseKey:
    while isinstance(key.inner, UseKey):
        key = key.inner
    return key


SIGNATURES: list[Callable[[UseKey], object]] = [
    lambda key: key,
    lambda key: ("innermost", key.value, _innermost(key)),
    lambda key: ("root", key.value, key.root),
]


def _levels(key: UseKey) -> Iterator[object]:
    """The signatures to look a source read up by, most specific first."""
    while isinstance(key, UseKey):
        for signature in SIGNATURES:
            yield signature(key)
        key = key.inner


def undef_witness(enc_s: Encoding, enc_t: Encoding) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
    """(source choice, target term) pairs; unpaired source choices are left
    to the caller (0 is as sound as anything)."""
    target: dict[object, z3.ExprRef] = {}
    by_root: dict[str, list] = {}
    undef_names = {str(v) for v in enc_t.undef_vars}
    for copy in enc_t.undef_vars + enc_t.nondet_vars:
        key = enc_t.undef_origin.get(str(copy))
        if key is None:
            continue
        for signature in SIGNATURES:
            target.setdefault(signature(key), copy)
        if str(copy) in undef_names:
            by_root.setdefault(key.root, []).append(copy)
    seen: dict[str, int] = {}
    pairs = []
    for copy in enc_s.undef_vars + enc_s.nondet_vars:
        key = enc_s.undef_origin.get(str(copy))
        if key is None:
            continue   # a choice that is not an undef read (e.g. freeze of poison)
        k = seen[key.root] = seen.get(key.root, -1) + 1
        same = next((target[s] for s in _levels(key) if s in target), None)
        if same is None:
            candidates = by_root.get(key.root, [])
            same = candidates[min(k, len(candidates) - 1)] if candidates else None
        if same is not None and same.sort() == copy.sort():
            pairs.append((copy, same))
    return pairs

