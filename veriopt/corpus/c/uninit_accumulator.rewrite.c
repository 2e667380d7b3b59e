/* accumulator left uninitialised when the loop does not run (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int sum(const int *a, int n) {
    int s;
    for (int i = 0; i < n; i++) s = (i ? s : 0) + a[i];
    return s;
}
