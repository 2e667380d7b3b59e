/* sum over a uint8_t counter (at most 255 iterations) replaced by its closed form (rewrite) */
#include <stdint.h>

unsigned f(uint8_t n) { return (unsigned)n * (n - 1u) / 2; }
