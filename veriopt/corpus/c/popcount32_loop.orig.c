/* bit-counting loop on 32 bits: it ends within 32 iterations, so deepening proves it (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(uint32_t x) {
    int c = 0;
    while (x) { c += x & 1; x >>= 1; }
    return c;
}
