/* known better version of parity32_loop.c */
#include <stdint.h>
uint32_t parity_loop(uint32_t x) { return __builtin_parity(x); }
