/* bit-counting loop replaced by the builtin (loop fully unrolled) (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(uint8_t x) {
    int c = 0;
    while (x) { c += x & 1; x >>= 1; }
    return c;
}
