"""Replay an SMT counterexample by compiling and running both C functions.

A counterexample is shown only after it has been run for real; the notes
returned here go into `Counterexample.replayed` and say what the run showed,
including when execution cannot show the problem (UB that UBSan does not
catch, such as reading an uninitialised variable).
"""
from __future__ import annotations

from pathlib import Path

import z3

from veriopt.errors import BadInput
from veriopt.limits import RUN_SECONDS
from veriopt.translation.c_frontend import external_calls, load
from veriopt.translation.c_inputs import Inputs, MemObject
from veriopt.translation.c_types import IntT
from veriopt.verify.c_pair import Pair, model_int, signature
from veriopt.verify.concrete.compiled import Binary, Result, describe, workdir
from veriopt.verify.concrete.sandbox import PROCESS_CALLS
from veriopt.verify.concrete.harness import Case
from veriopt.verify.verdict import ERR_MEMORY, ERR_UB, ERR_VALUE

MAX_REPLAY_BYTES = 1 << 20


def case_from_model(inputs: Inputs, model: z3.ModelRef) -> Case | None:
    """The concrete input a model describes, buffers grouped by overlap."""
    case = Case()
    for (name, t), val in zip(inputs.params, inputs.values):
        if isinstance(t, IntT):
            case.ints[name] = model_int(model, val.v)
    spans = []
    for obj in inputs.objects:
        base = model_int(model, obj.base)
        size = model_int(model, obj.elems) * obj.elem.size
        if size > MAX_REPLAY_BYTES:
            return None
        spans.append((obj, base, base + size))
    groups: list[list[tuple[MemObject, int, int]]] = []
    for span in sorted(spans, key=lambda s: s[1]):
        if groups and span[1] < max(s[2] for s in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    for g_index, group in enumerate(groups):
        # No padding: the harness ends each group at a guard page, and the
        # elements stay aligned because every base in the model is aligned.
        start = min(s[1] for s in group)
        end = max(s[2] for s in group)
        if end - start > MAX_REPLAY_BYTES:
            return None
        data = bytes(model_int(model, z3.Select(inputs.mem, z3.BitVecVal(a, 64)))
                     for a in range(start, end))
        case.groups.append(data)
        for obj, base, _ in group:
            case.pointers[obj.name] = (g_index, base - start)
            case.counts[obj.name] = model_int(model, obj.elems)
    return case


def replay(pair: Pair, inputs: Inputs, model: z3.ModelRef, kind: str,
           run_seconds: float = RUN_SECONDS) -> list[str]:
    """Run both functions on the counterexample (each at most `run_seconds`);
    notes on what happened."""
    case = case_from_model(inputs, model)
    if case is None:
        return ["not replayed: the buffers of this example are too large to run"]
    src_prog, tgt_prog = load(pair.src_path), load(pair.tgt_path)
    src_calls, tgt_calls = (external_calls(src_prog, pair.src_fn),
                            external_calls(tgt_prog, pair.tgt_fn))
    if (src_calls | tgt_calls) & PROCESS_CALLS:
        return ["not replayed: the code calls process functions (system, fork, exec*, ...)"]
    if tgt_calls - src_calls:
        return ["not replayed: the target calls functions the source does not"]
    ret_t = signature(src_prog, pair.src_fn)[1]
    try:
        with workdir() as tmp:
            src_bin = Binary(pair.src_path, pair.src_fn, inputs.params, ret_t, Path(tmp), "src")
            tgt_bin = Binary(pair.tgt_path, pair.tgt_fn, inputs.params, ret_t, Path(tmp), "tgt")
            src = src_bin.run([case], run_seconds)[0]
            tgt = tgt_bin.run([case], run_seconds)[0]
    except (BadInput, OSError) as exc:
        return [f"not replayed: {exc}"]
    notes = [f"replayed with {src_bin.description}: source {describe(src, ret_t)}; "
             f"target {describe(tgt, ret_t)}"]
    notes.append(_judge(kind, src, tgt))
    return notes


def _judge(kind: str, src: Result, tgt: Result) -> str:
    if src.status != "ok":
        return ("not reproduced by execution: the compiled source did not run cleanly "
                f"({src.status}: {src.message})")
    if tgt.status != "ok":
        return "confirmed by execution: the target fails where the source runs cleanly"
    if kind == ERR_VALUE and src.ret != tgt.ret:
        return "confirmed by execution: the return values differ"
    if kind == ERR_MEMORY and src.memory != tgt.memory:
        return "confirmed by execution: the memory left behind differs"
    if kind in (ERR_VALUE, ERR_MEMORY) and (src.ret != tgt.ret or src.memory != tgt.memory):
        return "confirmed by execution: the outcomes differ"
    if kind == ERR_UB:
        return ("not reproduced by execution: the target's UB is not observable in this "
                "build (the SMT model of C semantics shows it)")
    return "not reproduced by execution: both compiled versions agree on this input"
