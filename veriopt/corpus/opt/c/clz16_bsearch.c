/* 16-bit leading zeros by binary search */
#include <stdint.h>
uint32_t clz16(uint16_t v) {
  uint32_t x = v, n = 0;
  if (x == 0) return 16;
  if ((x & 0xFF00) == 0) { n += 8; x <<= 8; }
  if ((x & 0xF000) == 0) { n += 4; x <<= 4; }
  if ((x & 0xC000) == 0) { n += 2; x <<= 2; }
  if ((x & 0x8000) == 0) { n += 1; }
  return n;
}
