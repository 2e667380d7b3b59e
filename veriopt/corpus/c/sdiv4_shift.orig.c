/* changed rounding: shift rounds toward minus infinity (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return x / 4; }
