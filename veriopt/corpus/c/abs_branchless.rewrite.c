/* branch-free absolute value; INT_MIN is UB in the original (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { int m = x >> 31; return (x ^ m) - m; }
