/* Kernighan's loop (LLVM recognises this one) */
#include <stdint.h>
uint64_t popcount64(uint64_t x) {
  uint64_t n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}
