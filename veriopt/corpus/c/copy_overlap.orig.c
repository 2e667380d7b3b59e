/* copy direction reversed: differs when the buffers overlap (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void copy(int *dst, const int *src, int n) {
    for (int i = 0; i < n; i++) dst[i] = src[i];
}
