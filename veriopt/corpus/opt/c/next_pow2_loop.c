/* round up to a power of two */
#include <stdint.h>
uint32_t next_pow2(uint32_t x) {
  if (x > 0x80000000u) return 0;
  uint32_t p = 1;
  while (p < x) p <<= 1;
  return p;
}
