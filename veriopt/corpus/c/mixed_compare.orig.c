/* signedness change: the comparison becomes unsigned (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int less(int a, unsigned b) { return (long)a < (long)b; }
