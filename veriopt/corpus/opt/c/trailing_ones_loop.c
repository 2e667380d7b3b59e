/* count of trailing one bits */
#include <stdint.h>
uint32_t trailing_ones(uint32_t x) {
  uint32_t n = 0;
  while (x & 1) { n++; x >>= 1; }
  return n;
}
