/* known better version of ctz32_bsearch.c */
#include <stdint.h>
uint32_t ctz32(uint32_t x) { return x ? __builtin_ctz(x) : 32; }
