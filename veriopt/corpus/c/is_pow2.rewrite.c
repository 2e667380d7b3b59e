/* power-of-two test via popcount (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

bool f(unsigned x) { return __builtin_popcount(x) == 1; }
