/* multiply by a power of two becomes a shift (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return x << 3; }
