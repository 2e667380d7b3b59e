/* binary-search count of trailing zeros */
#include <stdint.h>
uint32_t ctz32(uint32_t x) {
  uint32_t n = 0;
  if (x == 0) return 32;
  if ((x & 0xFFFF) == 0) { n += 16; x >>= 16; }
  if ((x & 0xFF) == 0) { n += 8; x >>= 8; }
  if ((x & 0xF) == 0) { n += 4; x >>= 4; }
  if ((x & 0x3) == 0) { n += 2; x >>= 2; }
  if ((x & 0x1) == 0) { n += 1; }
  return n;
}
