/* INT_MIN / -1 becomes UB once the division is done in int (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int q(int x, int y) { return x / y; }
