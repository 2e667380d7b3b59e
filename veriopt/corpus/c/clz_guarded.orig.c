/* leading-zero loop replaced by the builtin (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int lz(uint32_t x) {
    if (x == 0) return 32;
    int n = 0;
    while (!(x & 0x80000000u)) { n++; x <<= 1; }
    return n;
}
