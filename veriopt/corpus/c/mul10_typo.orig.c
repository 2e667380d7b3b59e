/* strength reduction with a wrong constant (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

unsigned f(unsigned x) { return x * 10; }
