/* changed rounding: shift rounds toward minus infinity (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return x >> 2; }
