/* closed form of a uint8_t-counter sum kept in 16 bits: wraps once n >= 210 (original) */
#include <stdint.h>

unsigned f(uint8_t n) {
    unsigned s = 0;
    for (uint8_t i = 0; i < n; i++) s += 3 * i;
    return s;
}
