/* 64-bit leading zeros by shifting */
#include <stdint.h>
uint64_t clz64(uint64_t x) {
  uint64_t n = 0;
  if (x == 0) return 64;
  while (!(x >> 63)) { n++; x <<= 1; }
  return n;
}
