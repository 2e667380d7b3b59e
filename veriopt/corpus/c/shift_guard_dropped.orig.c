/* dropped guard makes an oversized shift reachable (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned bit(unsigned n) { return n < 32 ? 1u << n : 0; }
