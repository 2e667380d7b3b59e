/* counting loop that skips index 100 replaced by n: differs only when n > 100 (original) */
#include <stdint.h>

unsigned f(unsigned n) {
    unsigned c = 0;
    for (unsigned i = 0; i < n; i++)
        if (i != 100) c++;
    return c;
}
