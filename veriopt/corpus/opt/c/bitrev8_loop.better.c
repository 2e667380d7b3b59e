/* known better version of bitrev8_loop.c */
#include <stdint.h>
uint8_t bitrev8(uint8_t x) { return __builtin_bitreverse8(x); }
