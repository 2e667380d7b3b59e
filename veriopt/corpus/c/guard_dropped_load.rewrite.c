/* dropped early exit reads an empty buffer (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int first(const int *a, int n) { return a[0]; }
