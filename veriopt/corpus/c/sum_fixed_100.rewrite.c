/* fixed 100-iteration loop replaced by its closed form (rewrite) */
#include <stdint.h>

unsigned f(unsigned k) { return 4950u * k; }
