/* floor(log2 x) by shifting */
#include <stdint.h>
uint32_t log2_floor(uint32_t x) {
  uint32_t r = 0;
  while (x >>= 1) r++;
  return r;
}
