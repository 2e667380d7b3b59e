/* multiply by 15 as shift and subtract (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return (x << 4) - x; }
