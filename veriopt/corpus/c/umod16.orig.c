/* unsigned modulo by a power of two (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return x % 16; }
