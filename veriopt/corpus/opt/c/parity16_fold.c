/* xor-folding parity of 16 bits */
#include <stdint.h>
uint32_t parity16(uint16_t v) {
  uint32_t x = v;
  x ^= x >> 8; x ^= x >> 4; x ^= x >> 2; x ^= x >> 1;
  return x & 1;
}
