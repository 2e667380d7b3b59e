/* branch to select (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

long max(long a, long b) { if (a > b) return a; else return b; }
