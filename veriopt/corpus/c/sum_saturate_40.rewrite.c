/* closed form that saturates at n = 40: right for n <= 40 only (rewrite) */
#include <stdint.h>

unsigned f(unsigned n) { return n > 40 ? 120 : 3 * n; }
