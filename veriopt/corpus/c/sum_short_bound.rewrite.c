/* off-by-one loop bound misses the last element (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

long sum(const int *a, int n) {
    long s = 0;
    for (int i = 0; i + 1 < n; i++) s += a[i];
    return s;
}
