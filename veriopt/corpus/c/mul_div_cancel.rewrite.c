/* signed overflow is UB, so x*2/2 folds to x (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) { return x; }
