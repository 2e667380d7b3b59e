/* signed division by two with the rounding bias compilers emit (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return x / 2; }
