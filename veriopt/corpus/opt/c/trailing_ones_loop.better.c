/* known better version of trailing_ones_loop.c */
#include <stdint.h>
uint32_t trailing_ones(uint32_t x) { return ~x ? __builtin_ctz(~x) : 32; }
