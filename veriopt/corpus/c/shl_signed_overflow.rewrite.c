/* left shift done in int overflows (and shifts negative values) (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

long scale(int x) { return x << 4; }
