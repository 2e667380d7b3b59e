/* known better version of bswap32_loop.c */
#include <stdint.h>
uint32_t bswap_loop(uint32_t x) { return __builtin_bswap32(x); }
