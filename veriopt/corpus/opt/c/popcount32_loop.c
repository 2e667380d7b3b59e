/* bit-at-a-time popcount loop */
#include <stdint.h>
uint32_t popcount32(uint32_t x) {
  uint32_t n = 0;
  while (x) { n += x & 1; x >>= 1; }
  return n;
}
