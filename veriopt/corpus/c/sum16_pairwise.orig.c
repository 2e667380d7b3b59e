/* fixed 16-element sum regrouped pairwise (unsigned, so reassociation is exact) (original) */
#include <stdint.h>

unsigned sum16(const unsigned *a) {
    unsigned s = 0;
    for (int i = 0; i < 16; i++) s += a[i];
    return s;
}
