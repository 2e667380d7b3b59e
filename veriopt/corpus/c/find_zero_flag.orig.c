/* early return turned into break and a result variable (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int find(const int *a, int n) {
    for (int i = 0; i < n; i++)
        if (a[i] == 0) return i;
    return -1;
}
