"""The C front end: preprocessing with veriopt's headers, parsing, and the
one-line errors (file:line:col) users get for bad input."""
from __future__ import annotations

import pytest
from veriopt.errors import BadInput
from veriopt.translation.c_frontend import load
from veriopt.translation.c_nesting import deepest_brackets

from c_helpers import write


def test_parses_functions_and_uses_bundled_headers(tmp_path):
    path = write(tmp_path, "ok.c", "#include <stdint.h>\n#include <limits.h>\n#include <stdbool.h>\n"
                 "uint32_t f(uint32_t x) { return x + UINT32_MAX; }\n"
                 "bool g(int x) { return x == INT_MIN; }\n")
    program = load(path)
    assert sorted(program.functions) == ["f", "g"]


def test_syntax_error_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "bad.c", "int f(int x) {\n  return x +;\n}\n")
    with pytest.raises(BadInput) as err:
        load(path)
    assert err.value.file == path
    assert err.value.line == 2
    assert err.value.col is not None
    assert err.value.render().startswith(f"{path}:2:")


def test_missing_semicolon_points_where_clang_expects_it(tmp_path):
    path = write(tmp_path, "bad.c", "int f(int x) {\n  return x + 1\n}\n")
    with pytest.raises(BadInput) as err:
        load(path)
    assert (err.value.line, err.value.col) == (2, 15)
    assert "expected ';'" in err.value.message


@pytest.mark.parametrize("code, says", [
    ("int f(int x){ int a[-1]; return x; }\n", "negative size"),
    ("int f(int x){ return g(x); }\n", "undeclared function 'g'"),
    ("int f(int x){ int *p = x; return *p; }\n", "incompatible integer to pointer"),
])
def test_what_pycparser_accepts_but_clang_rejects_is_bad_input(tmp_path, code, says):
    # a verdict on a program the compiler rejects would be about nothing
    path = write(tmp_path, "ill.c", code)
    with pytest.raises(BadInput, match=says) as err:
        load(path)
    assert err.value.line == 1 and err.value.render().startswith(f"{path}:1:")


def test_unknown_header_is_bad_input_with_line(tmp_path):
    path = write(tmp_path, "inc.c", "#include <nonexistent_header.h>\nint f(int x) { return x; }\n")
    with pytest.raises(BadInput) as err:
        load(path)
    assert err.value.line == 1
    assert "nonexistent_header.h" in err.value.message


def test_missing_function_lists_what_is_there(tmp_path):
    program = load(write(tmp_path, "a.c", "int f(int x) { return x; }\n"))
    with pytest.raises(BadInput, match="no function 'g' defined \\(functions: f\\)"):
        program.function("g")


def test_unreadable_file_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="cannot read file"):
        load(str(tmp_path / "missing.c"))


def test_duplicate_definition_is_bad_input(tmp_path):
    path = write(tmp_path, "dup.c", "int f(int x) { return x; }\nint f(int x) { return 1; }\n")
    with pytest.raises(BadInput, match="redefinition of 'f'"):
        load(path)


# ---------------------------------------------------------------- deep nesting
# clang-22 overflows its stack at a few thousand levels, pycparser uses
# ~8 Python frames per parenthesis, the semantics walk the AST recursively:
# each depth must be one line of bad input with a position, never a crash.

@pytest.mark.parametrize("depth,where,message", [
    (1000, 2, "nesting too deep for the C parser (1001 levels of brackets)"),
    (4000, 3, "clang-22 crashed (SIGSEGV) on this file, most likely on nesting too deep "
              "(4001 levels of brackets here)"),
])
def test_deep_parentheses_are_bad_input_with_a_line(tmp_path, depth, where, message):
    pad = "\n" * (where - 1)
    path = write(tmp_path, "deep.c", pad + "int f(int x) { return " + "(" * depth + "x"
                 + ")" * depth + "; }\n")
    with pytest.raises(BadInput) as info:
        load(path)
    assert (info.value.message, info.value.line) == (message, where)


def test_a_long_operator_chain_is_bad_input_with_a_line(tmp_path):
    path = write(tmp_path, "chain.c", "int g(int x) { return x; }\n"
                 "int f(int x) { return x" + " + x" * 600 + "; }\n")
    with pytest.raises(BadInput, match=r"nesting too deep: \d+ levels of expressions and "
                                       r"statements \(veriopt handles up to 250\)") as info:
        load(path)
    assert info.value.line == 2


def test_nesting_that_real_code_has_still_loads(tmp_path):
    path = write(tmp_path, "ok.c", "int f(int x) { return " + "(" * 60 + "x" + "+1)" * 60
                 + "; }\n")
    assert "f" in load(path).functions


def test_bracket_depth_skips_comments_and_literals():
    text = 'int a = ((1));\n/* ((((( */ char *s = "(((((";\nint b = (((2)));\n'
    assert deepest_brackets(text) == (3, 3)
