/* byte swap idiom recognised (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

uint32_t f(uint32_t x) { return __builtin_bswap32(x); }
