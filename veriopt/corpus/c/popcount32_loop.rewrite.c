/* bit-counting loop on 32 bits: it ends within 32 iterations, so deepening proves it (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(uint32_t x) { return __builtin_popcount(x); }
