/* bit-counting loop on 32 bits: only checked up to the unroll bound (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(uint32_t x) { return __builtin_popcount(x); }
