/* known better version of popcount16_sum.c */
#include <stdint.h>
uint32_t pc16(uint16_t x) { return __builtin_popcount(x); }
