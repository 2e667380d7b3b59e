/* copy direction reversed: differs when the buffers overlap (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void copy(int *dst, const int *src, int n) {
    if (n <= 0) return;
    for (int i = n - 1; i >= 0; i--) dst[i] = src[i];
}
