/* popcount of a byte through a nibble table (original) */
#include <stdint.h>

static const uint8_t nibble_bits[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};

int popcount8(uint8_t x) { return nibble_bits[x & 15] + nibble_bits[x >> 4]; }
