/* fixed 16-element sum regrouped pairwise (unsigned, so reassociation is exact) (rewrite) */
#include <stdint.h>

unsigned sum16(const unsigned *a) {
    unsigned lo = 0, hi = 0;
    for (int i = 0; i < 8; i++) { lo += a[i]; hi += a[i + 8]; }
    return lo + hi;
}
