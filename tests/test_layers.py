"""The house's floors: a module may import its own floor or lower ones,
never a higher one (../shared/DESIGN.md). The walk reads every import
statement of the package, local ones included."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "veriopt"

# lowest first; a subpackage or top-level module of veriopt -> its floor
FLOORS = {"errors": 0, "limits": 0, "tools": 0, "progress": 0, "jsonout": 0, "corpus": 0, "ir": 1, "translation": 2, "verify": 3, "bench": 4,
          "agents": 5, "hunt": 6, "report": 6, "commands": 7, "cli": 7, "demo": 7, "": 7}

# Upward imports allowed for now, each with the reason; none today.
KNOWN: set[tuple[str, str]] = set()


def floor(module: str) -> int:
    parts = module.split(".")
    return FLOORS[parts[1] if len(parts) > 1 else ""]


def imports() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(module, name, node.lineno) for name in names
                      if name == "veriopt" or name.startswith("veriopt.")]
    return found


def test_the_walk_sees_the_package():
    found = imports()
    assert len({m for m, _, _ in found}) > 40
    assert ("veriopt.cli", "veriopt.errors") in {(m, n) for m, n, _ in found}


def test_no_import_goes_up_a_floor():
    upward = [f"{m} -> {n} (line {line})" for m, n, line in imports()
              if floor(n) > floor(m) and (m, n) not in KNOWN]
    assert not upward, "\n".join(upward)


def test_known_exceptions_still_exist():
    # an entry that no longer occurs must leave the list, so it cannot hide a new one
    present = {(m, n) for m, n, _ in imports()}
    assert KNOWN <= present


@pytest.mark.parametrize("module", ["veriopt.errors", "veriopt.limits", "veriopt.progress", "veriopt.jsonout", "veriopt.tools"])
def test_the_ground_floor_imports_nothing_of_veriopt(module):
    assert not [n for m, n, _ in imports() if m == module]


def test_verify_imports_no_c_front_end_nor_test_tools(tmp_path):
    # a tool run once per file pays for every import: `veriopt verify x.ll`
    # must not load hypothesis, pycparser, the C front end, the agents or rich
    import subprocess
    import sys
    pair = tmp_path / "pair.ll"
    pair.write_text("define i8 @src(i8 %x) {\n  ret i8 %x\n}\n"
                    "define i8 @tgt(i8 %x) {\n  ret i8 %x\n}\n")
    code = ("import sys; sys.argv = ['veriopt', 'verify', %r]\n"
            "from veriopt.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)))" % str(pair))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = set(proc.stdout.strip().splitlines()[-1].split())
    assert "veriopt.verify.refinement" in loaded, proc.stdout + proc.stderr
    heavy = {m for m in loaded if m.split(".")[0] in {"hypothesis", "pycparser", "openai",
                                                       "networkx", "rich"}
             or m.startswith(("veriopt.translation.c_", "veriopt.agents",
                              "veriopt.translation.ir_smt.x86_intrinsics",
                              "veriopt.translation.ir_smt.fp_ops"))}
    assert not heavy, sorted(heavy)


def test_x86_semantics_load_when_a_file_calls_one():
    # the x86 family is registered on first lookup (registry.DEFERRED)
    import subprocess
    import sys
    code = ("from veriopt.translation.ir_smt.registry import INTRINSICS, lookup_intrinsic\n"
            "before = 'llvm.x86.sse2.pavg.w' in INTRINSICS\n"
            "print(before, lookup_intrinsic('llvm.x86.sse2.pavg.w') is not None)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.split() == ["False", "True"], proc.stderr
