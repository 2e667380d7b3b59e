"""Run an integer function through LLVM's JIT (llvmlite MCJIT).

Used to replay counterexamples and, in the tests, as the independent oracle
the SMT semantics must agree with on poison-free inputs. Only functions
whose arguments and result are i1/i8/i16/i32/i64 are run, because those
are the widths the C calling convention passes unambiguously.
"""
from __future__ import annotations

import ctypes
import re

from veriopt.ir.model import Function
from veriopt.limits import RUN_MEMORY_MB, RUN_SECONDS
from veriopt.ir.types import IntType

_CTYPES = {1: ctypes.c_uint8, 8: ctypes.c_uint8, 16: ctypes.c_uint16,
           32: ctypes.c_uint32, 64: ctypes.c_uint64}
_ENGINES: dict[str, tuple] = {}


def can_run(fn: Function) -> bool:
    """Integer arguments and result, and no call other than to an LLVM
    intrinsic: a declared function would resolve to the host's (libc's
    `system`, `unlink`, ...) and really run."""
    types = [p.type for p in fn.params] + [fn.ret_type]
    calls_out = any(i.opcode == "call" and not str(i.extra.get("callee", "")).startswith("llvm.")
                    for i in fn.instructions())
    return (not fn.is_declaration and not calls_out and
            all(isinstance(t, IntType) and t.width in _CTYPES for t in types))


def _function_text(fn: Function, module_text: str) -> str:
    """A module holding just `fn` (renamed) and the declarations it needs."""
    lines = module_text.splitlines()
    out, keep = [], False
    header = re.compile(r"^define\b.*@" + re.escape(fn.name) + r"\(")
    for line in lines:
        if header.match(line):
            keep = True
        if keep:
            out.append(line)
            if line.strip() == "}":
                keep = False
        elif line.startswith("declare") or line.startswith("attributes") or line.startswith("target"):
            out.append(line)
    return "\n".join(out) + "\n"


def _engine(text: str):
    import llvmlite.binding as llvm
    from veriopt.ir.loader import _llvm
    _llvm()
    if text not in _ENGINES:
        mod = llvm.parse_assembly(text)
        mod.verify()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine()
        engine = llvm.create_mcjit_compiler(mod, tm)
        engine.finalize_object()
        _ENGINES[text] = (engine, mod)
    return _ENGINES[text][0]


def run(fn: Function, args: list[int], module_text: str | None = None) -> int:
    """Call `fn` on unsigned integer arguments; the result is unsigned."""
    text = _function_text(fn, module_text or fn_module_text(fn))
    engine = _engine(text)
    addr = engine.get_function_address(fn.name)
    widths = [p.type.width for p in fn.params]  # type: ignore[attr-defined]
    ret_w = fn.ret_type.width  # type: ignore[attr-defined]
    proto = ctypes.CFUNCTYPE(_CTYPES[ret_w], *[_CTYPES[w] for w in widths])
    cfunc = proto(addr)
    result = cfunc(*[a & ((1 << w) - 1) for a, w in zip(args, widths)])
    return int(result) & ((1 << ret_w) - 1)


def fn_module_text(fn: Function) -> str:
    text = getattr(fn, "module_text", None)
    if not text:
        raise ValueError(f"@{fn.name} has no module text to JIT")
    return text


def run_isolated(fn: Function, args: list[int], timeout: float = RUN_SECONDS,
                 memory_mb: int = RUN_MEMORY_MB) -> int | None:
    """`run` in a child process with CPU, memory and time limits — the way
    candidate code is executed. None if the child crashed or ran out of
    time (a trap, a signal, a resource limit)."""
    import json
    import subprocess
    import sys
    request = json.dumps({"text": _function_text(fn, fn_module_text(fn)), "name": fn.name,
                          "args": args})

    def limits() -> None:
        import resource
        cpu = int(timeout) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    try:
        proc = subprocess.run([sys.executable, "-m", "veriopt.ir.jit"], input=request,
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=limits)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    return int(proc.stdout.strip())


def _child_main() -> None:
    import json
    import sys
    from veriopt.ir.parser import parse_module_text
    request = json.loads(sys.stdin.read())
    module = parse_module_text(request["text"])
    fn = module.functions[request["name"]]
    print(run(fn, request["args"], request["text"]))


if __name__ == "__main__":
    _child_main()
