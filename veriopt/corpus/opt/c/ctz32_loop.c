/* trailing zeros by shifting */
#include <stdint.h>
uint32_t ctz_loop(uint32_t x) {
  uint32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 1)) { n++; x >>= 1; }
  return n;
}
