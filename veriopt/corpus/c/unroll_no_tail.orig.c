/* unrolled loop without its remainder step (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int sum(const int *a, int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    return s;
}
