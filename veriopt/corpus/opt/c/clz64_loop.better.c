/* known better version of clz64_loop.c */
#include <stdint.h>
uint64_t clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }
