"""The verifier's entry points for files and texts: pair up functions and
verify each pair. This is what the CLI, the conformance runner and the
optimizer call."""
from __future__ import annotations

from pathlib import Path

from veriopt.errors import BadInput, Unsupported
from veriopt.ir.loader import function_text, load_file, load_text
from veriopt.ir.model import Function, Module
from veriopt.verify.refinement import SignatureMismatch, VerifyOptions, verify_pair
from veriopt.verify.verdict import Verdict, combine


def pair_functions(src_mod: Module, tgt_mod: Module | None, src_fn: str | None = None,
                   tgt_fn: str | None = None) -> list[tuple[Function, Function]]:
    """Which functions to compare.

    One module: `@src` with `@tgt`, and every `@srcN` with `@tgtN` (as
    alive-tv does). Two modules: functions of the same name, or the names
    given. Explicit names always win.
    """
    file = src_mod.source_file
    if tgt_mod is None:
        tgt_mod = src_mod
        if src_fn or tgt_fn:
            names = [(src_fn or "src", tgt_fn or "tgt")]
        else:
            defined = [n for n, f in src_mod.functions.items() if not f.is_declaration]
            names = [(n, "tgt" + n[3:]) for n in defined
                     if n.startswith("src") and "tgt" + n[3:] in src_mod.functions]
            if not names:
                raise BadInput("no @src/@tgt pair found (name them @src and @tgt, "
                               "or pass --src-fn/--tgt-fn)", file)
    else:
        if src_fn or tgt_fn:
            names = [(src_fn or tgt_fn, tgt_fn or src_fn)]  # type: ignore[list-item]
        else:
            common = [n for n, f in src_mod.functions.items()
                      if not f.is_declaration and n in tgt_mod.functions
                      and not tgt_mod.functions[n].is_declaration]
            if not common:
                raise BadInput("the two files define no function of the same name "
                               "(pass --src-fn/--tgt-fn)", file)
            names = [(n, n) for n in common]
    pairs = []
    for s, t in names:
        if s not in src_mod.functions or src_mod.functions[s].is_declaration:
            raise BadInput(f"no definition of @{s}", src_mod.source_file)
        if t not in tgt_mod.functions or tgt_mod.functions[t].is_declaration:
            raise BadInput(f"no definition of @{t}", tgt_mod.source_file)
        pairs.append((src_mod.functions[s], tgt_mod.functions[t]))
    return pairs


def verify_modules(src_mod: Module, tgt_mod: Module | None = None, src_fn: str | None = None,
                   tgt_fn: str | None = None,
                   options: VerifyOptions | None = None) -> list[Verdict]:
    """Verify every pair; a signature mismatch is the user's input error."""
    verdicts = []
    for src, tgt in pair_functions(src_mod, tgt_mod, src_fn, tgt_fn):
        try:
            verdict = verify_pair(src, tgt, options, src_mod.little_endian)
            verdict.pair_text = (function_text(src), function_text(tgt))
            verdicts.append(verdict)
        except SignatureMismatch as exc:
            raise BadInput(f"signature mismatch between @{src.name} and @{tgt.name}: {exc}",
                           src_mod.source_file) from None
    return verdicts


def verify_files(src_path: str | Path, tgt_path: str | Path | None = None,
                 src_fn: str | None = None, tgt_fn: str | None = None,
                 options: VerifyOptions | None = None) -> list[Verdict]:
    try:
        src_mod = load_file(src_path)
        tgt_mod = load_file(tgt_path) if tgt_path else None
    except Unsupported as exc:
        return [Verdict.unsupported(exc.feature)]
    return verify_modules(src_mod, tgt_mod, src_fn, tgt_fn, options)


def verify_ir(src_text: str, tgt_text: str | None = None, src_fn: str | None = None,
              tgt_fn: str | None = None, options: VerifyOptions | None = None) -> Verdict:
    """Verify IR given as text (what agents propose); one combined verdict."""
    try:
        src_mod = load_text(src_text, "<source>")
        tgt_mod = load_text(tgt_text, "<target>") if tgt_text is not None else None
    except Unsupported as exc:
        return Verdict.unsupported(exc.feature)
    return combine(verify_modules(src_mod, tgt_mod, src_fn, tgt_fn, options))
