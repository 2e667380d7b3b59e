/* counting loop that skips index 100 replaced by n: differs only when n > 100 (rewrite) */
#include <stdint.h>

unsigned f(unsigned n) { return n; }
