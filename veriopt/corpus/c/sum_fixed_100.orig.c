/* fixed 100-iteration loop replaced by its closed form (original) */
#include <stdint.h>

unsigned f(unsigned k) {
    unsigned s = 0;
    for (int i = 0; i < 100; i++) s += i * k;
    return s;
}
