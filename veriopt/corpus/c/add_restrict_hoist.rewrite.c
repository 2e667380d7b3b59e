/* hoisting a load out of the loop is fine when the pointers are restrict (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void addb(unsigned *restrict a, const unsigned *restrict b, int n) {
    if (n <= 0) return;
    unsigned t = b[0];
    for (int i = 0; i < n; i++) a[i] += t;
}
