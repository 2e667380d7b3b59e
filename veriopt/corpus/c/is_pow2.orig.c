/* power-of-two test via popcount (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

bool f(unsigned x) { return x != 0 && (x & (x - 1)) == 0; }
