/* dropped guard makes an oversized shift reachable (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned bit(unsigned n) { return 1u << n; }
