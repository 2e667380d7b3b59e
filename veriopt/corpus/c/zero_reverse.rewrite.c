/* store loop reversed (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void zero(int *a, int n) {
    if (n <= 0) return;  /* n - 1 must not overflow */
    for (int i = n - 1; i >= 0; i--) a[i] = 0;
}
