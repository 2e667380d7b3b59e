/* known better version of clz32_bsearch.c */
#include <stdint.h>
uint32_t clz32(uint32_t x) { return x ? __builtin_clz(x) : 32; }
