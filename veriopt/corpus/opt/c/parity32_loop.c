/* parity loop */
#include <stdint.h>
uint32_t parity_loop(uint32_t x) {
  uint32_t p = 0;
  while (x) { p ^= x & 1; x >>= 1; }
  return p;
}
