/* known better version of bitrev32_loop.c */
#include <stdint.h>
uint32_t bitrev32(uint32_t x) { return __builtin_bitreverse32(x); }
