/* left shift done in int overflows (and shifts negative values) (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

long scale(int x) { return (long)x * 16; }
