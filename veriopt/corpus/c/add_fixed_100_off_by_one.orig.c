/* fixed-count loop rewritten with <= : 101 iterations instead of 100 (original) */
#include <stdint.h>

unsigned f(unsigned x) {
    unsigned s = 0;
    for (int i = 0; i < 100; i++) s += x;
    return s;
}
