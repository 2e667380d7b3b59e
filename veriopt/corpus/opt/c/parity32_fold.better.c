/* known better version of parity32_fold.c */
#include <stdint.h>
uint32_t parity32(uint32_t x) { return __builtin_parity(x); }
