/* unsigned modulo by a power of two (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return x & 15; }
