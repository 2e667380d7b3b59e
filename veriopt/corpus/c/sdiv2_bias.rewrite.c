/* signed division by two with the rounding bias compilers emit (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return (x + (int)((unsigned)x >> 31)) >> 1; }
