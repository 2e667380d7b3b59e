/* known better version of log2_floor_loop.c */
#include <stdint.h>
uint32_t log2_floor(uint32_t x) { return x ? 31 - __builtin_clz(x) : 0; }
