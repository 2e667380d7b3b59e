/* strength reduction with a wrong constant (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return (x << 3) + x; }
