/* signedness change: zero extension instead of sign extension (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int widen(signed char c) { return c; }
