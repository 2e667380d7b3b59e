/* known better version of popcount8_sum.c */
#include <stdint.h>
uint32_t pc8(uint8_t x) { return __builtin_popcount(x); }
