/* known better version of clz32_loop.c */
#include <stdint.h>
uint32_t clz_loop(uint32_t x) { return x ? __builtin_clz(x) : 32; }
