/* dropped early exit returns the last match instead of the first (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int search(const int *a, int n, int key) {
    for (int i = 0; i < n; i++)
        if (a[i] == key) return i;
    return -1;
}
