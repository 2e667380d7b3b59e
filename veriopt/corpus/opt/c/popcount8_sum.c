/* bit-by-bit sum of a byte: LLVM does not recognise it as ctpop */
#include <stdint.h>
uint32_t pc8(uint8_t x) {
  return (x & 1) + ((x >> 1) & 1) + ((x >> 2) & 1) + ((x >> 3) & 1) +
         ((x >> 4) & 1) + ((x >> 5) & 1) + ((x >> 6) & 1) + ((x >> 7) & 1);
}
