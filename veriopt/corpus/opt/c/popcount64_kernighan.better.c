/* known better version of popcount64_kernighan.c */
#include <stdint.h>
uint64_t popcount64(uint64_t x) { return __builtin_popcountll(x); }
