/* closed form that saturates at n = 40: right for n <= 40 only (original) */
#include <stdint.h>

unsigned f(unsigned n) {
    unsigned s = 0;
    for (unsigned i = 0; i < n; i++) s += 3;
    return s;
}
