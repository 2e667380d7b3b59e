/* byte swap by a loop (LLVM may recognise it after unrolling) */
#include <stdint.h>
uint32_t bswap_loop(uint32_t x) {
  uint32_t r = 0;
  for (int i = 0; i < 4; i++) { r = (r << 8) | (x & 0xFF); x >>= 8; }
  return r;
}
