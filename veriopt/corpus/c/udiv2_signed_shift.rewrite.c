/* signedness change: arithmetic shift on an unsigned value (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return (int)x >> 1; }
