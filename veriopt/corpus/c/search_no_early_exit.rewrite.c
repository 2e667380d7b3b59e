/* dropped early exit returns the last match instead of the first (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int search(const int *a, int n, int key) {
    int r = -1;
    for (int i = 0; i < n; i++)
        if (a[i] == key) r = i;
    return r;
}
