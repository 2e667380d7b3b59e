/* saturating counter (stops at 200) replaced by n: differs after 200 iterations of a uint8_t loop (rewrite) */
#include <stdint.h>

uint8_t f(uint8_t n) { return n; }
