/* signedness change: arithmetic shift on an unsigned value (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return x / 2; }
