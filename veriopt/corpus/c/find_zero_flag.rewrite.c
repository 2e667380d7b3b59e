/* early return turned into break and a result variable (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int find(const int *a, int n) {
    int r = -1;
    int i = 0;
    while (i < n) {
        if (a[i] == 0) { r = i; break; }
        i++;
    }
    return r;
}
