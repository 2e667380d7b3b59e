/* branch to select (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

long max(long a, long b) { return a > b ? a : b; }
