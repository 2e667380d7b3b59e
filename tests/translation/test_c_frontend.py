"""The C front end: preprocessing with veriopt's headers, parsing, and the
one-line errors (file:line:col) users get for bad input."""
from __future__ import annotations

import pytest
from veriopt.errors import BadInput
from veriopt.translation.c_frontend import load

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
