/* known better version of popcount32_loop.c */
#include <stdint.h>
uint32_t popcount32(uint32_t x) { return __builtin_popcount(x); }
