/* mask-building loop replaced by a shift that wraps: differs only when n > 64 (original) */
#include <stdint.h>

uint64_t f(unsigned n) {
    uint64_t m = 0;
    for (unsigned i = 0; i < n; i++) m = (m << 1) | 1;
    return m;
}
