/* sum over a uint8_t counter (at most 255 iterations) replaced by its closed form (original) */
#include <stdint.h>

unsigned f(uint8_t n) {
    unsigned s = 0;
    for (uint8_t i = 0; i < n; i++) s += i;
    return s;
}
