/* mask-building loop replaced by a shift that wraps: differs only when n > 64 (rewrite) */
#include <stdint.h>

uint64_t f(unsigned n) { return n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << (n % 64)) - 1; }
