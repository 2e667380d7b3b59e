/* dropped early exit reads an empty buffer (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int first(const int *a, int n) {
    if (n <= 0) return 0;
    return a[0];
}
