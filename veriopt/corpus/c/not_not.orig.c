/* boolean normalisation (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(long x) { return x != 0; }
