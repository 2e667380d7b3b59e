/* closed form of a uint8_t-counter sum kept in 16 bits: wraps once n >= 210 (rewrite) */
#include <stdint.h>

unsigned f(uint8_t n) {
    uint16_t t = 3 * n * (n - 1) / 2;
    return t;
}
