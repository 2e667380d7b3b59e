/* branch-free absolute value; INT_MIN is UB in the original (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return x < 0 ? -x : x; }
