"""The few libc headers a verified C function may include, as text.

pycparser cannot digest glibc's headers (GNU extensions everywhere), and it
no longer ships its "fake libc" set, so the front end preprocesses against
these instead (`cpp -nostdinc`). They fix the LP64 data model the SMT
semantics assumes, so the parsed types and the modelled widths agree.
"""
from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path

_STDINT = """
#ifndef _VERIOPT_STDINT_H
#define _VERIOPT_STDINT_H
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long intmax_t;
typedef unsigned long uintmax_t;
typedef signed char int_least8_t;
typedef short int_least16_t;
typedef int int_least32_t;
typedef long int_least64_t;
typedef unsigned char uint_least8_t;
typedef unsigned short uint_least16_t;
typedef unsigned int uint_least32_t;
typedef unsigned long uint_least64_t;
typedef signed char int_fast8_t;
typedef long int_fast16_t;
typedef long int_fast32_t;
typedef long int_fast64_t;
typedef unsigned char uint_fast8_t;
typedef unsigned long uint_fast16_t;
typedef unsigned long uint_fast32_t;
typedef unsigned long uint_fast64_t;
#define INT8_MIN (-128)
#define INT16_MIN (-32767-1)
#define INT32_MIN (-2147483647-1)
#define INT64_MIN (-9223372036854775807L-1)
#define INT8_MAX 127
#define INT16_MAX 32767
#define INT32_MAX 2147483647
#define INT64_MAX 9223372036854775807L
#define UINT8_MAX 255
#define UINT16_MAX 65535
#define UINT32_MAX 4294967295U
#define UINT64_MAX 18446744073709551615UL
#define SIZE_MAX 18446744073709551615UL
#define INTPTR_MIN INT64_MIN
#define INTPTR_MAX INT64_MAX
#define UINTPTR_MAX UINT64_MAX
#define INT8_C(c) c
#define INT16_C(c) c
#define INT32_C(c) c
#define INT64_C(c) c ## L
#define UINT8_C(c) c
#define UINT16_C(c) c
#define UINT32_C(c) c ## U
#define UINT64_C(c) c ## UL
#endif
"""

_STDBOOL = """
#ifndef _VERIOPT_STDBOOL_H
#define _VERIOPT_STDBOOL_H
#define bool _Bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1
#endif
"""

_STDDEF = """
#ifndef _VERIOPT_STDDEF_H
#define _VERIOPT_STDDEF_H
typedef unsigned long size_t;
typedef long ptrdiff_t;
#define NULL ((void *)0)
#endif
"""

_LIMITS = """
#ifndef _VERIOPT_LIMITS_H
#define _VERIOPT_LIMITS_H
#define CHAR_BIT 8
#define SCHAR_MIN (-128)
#define SCHAR_MAX 127
#define UCHAR_MAX 255
#define CHAR_MIN SCHAR_MIN
#define CHAR_MAX SCHAR_MAX
#define SHRT_MIN (-32768)
#define SHRT_MAX 32767
#define USHRT_MAX 65535
#define INT_MIN (-2147483647-1)
#define INT_MAX 2147483647
#define UINT_MAX 4294967295U
#define LONG_MIN (-9223372036854775807L-1)
#define LONG_MAX 9223372036854775807L
#define ULONG_MAX 18446744073709551615UL
#define LLONG_MIN (-9223372036854775807LL-1)
#define LLONG_MAX 9223372036854775807LL
#define ULLONG_MAX 18446744073709551615ULL
#endif
"""

_STDLIB = """
#ifndef _VERIOPT_STDLIB_H
#define _VERIOPT_STDLIB_H
#include <stddef.h>
int abs(int);
long labs(long);
long long llabs(long long);
void *malloc(size_t);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
void free(void *);
void abort(void);
void exit(int);
int system(const char *);
int atoi(const char *);
int rand(void);
void srand(unsigned);
#endif
"""

HEADERS: dict[str, str] = {
    "stdint.h": _STDINT,
    "inttypes.h": "#include <stdint.h>\n",
    "stdbool.h": _STDBOOL,
    "stddef.h": _STDDEF,
    "limits.h": _LIMITS,
    "stdlib.h": _STDLIB,
}


def header_dir() -> Path:
    """A directory holding the headers; written once per process."""
    global _DIR
    if _DIR is None:
        path = Path(tempfile.mkdtemp(prefix="veriopt-include-"))
        for name, text in HEADERS.items():
            (path / name).write_text(text)
        _DIR = path
        atexit.register(cleanup)
    return _DIR


_DIR: Path | None = None


def cleanup() -> None:
    """Remove the header directory (at exit)."""
    global _DIR
    if _DIR is not None:
        for child in _DIR.iterdir():
            os.unlink(child)
        os.rmdir(_DIR)
        _DIR = None
