/* known better version of next_pow2_loop.c */
#include <stdint.h>
uint32_t next_pow2(uint32_t x) {
  if (x <= 1) return 1;
  if (x > 0x80000000u) return 0;
  return 1u << (32 - __builtin_clz(x - 1));
}
