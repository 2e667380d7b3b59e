/* INT_MIN / -1 becomes UB once the division is done in int (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int q(int x, int y) { return (int)((long)x / y); }
