/* hoisting a load out of the loop is fine when the pointers are restrict (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void addb(unsigned *restrict a, const unsigned *restrict b, int n) {
    for (int i = 0; i < n; i++) a[i] += b[0];
}
