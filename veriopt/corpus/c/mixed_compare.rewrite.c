/* signedness change: the comparison becomes unsigned (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int less(int a, unsigned b) { return a < b; }
