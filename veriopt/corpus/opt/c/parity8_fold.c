/* xor-folding parity of a byte */
#include <stdint.h>
uint32_t parity8(uint8_t v) {
  uint32_t x = v;
  x ^= x >> 4; x ^= x >> 2; x ^= x >> 1;
  return x & 1;
}
