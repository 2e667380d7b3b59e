/* known better version of ctz32_loop.c */
#include <stdint.h>
uint32_t ctz_loop(uint32_t x) { return x ? __builtin_ctz(x) : 32; }
