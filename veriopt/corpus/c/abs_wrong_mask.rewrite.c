/* branch-free absolute value with the wrong correction (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { int m = x >> 31; return (x ^ m) + m; }
