/* branch-free absolute value with the wrong correction (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return x < 0 ? -x : x; }
