/* byte bit reversal loop */
#include <stdint.h>
uint8_t bitrev8(uint8_t x) {
  uint8_t r = 0;
  for (int i = 0; i < 8; i++) { r = (uint8_t)((r << 1) | (x & 1)); x >>= 1; }
  return r;
}
