/* popcount through a nibble lookup table (original) */
#include <stdint.h>

static const uint8_t nibble_bits[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

int popcount16(uint16_t x) {
    int c = 0;
    for (int i = 0; i < 4; i++) {
        c += nibble_bits[x & 15];
        x >>= 4;
    }
    return c;
}
