/* aliasing assumption: the load is hoisted although b may point into a (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void addb(unsigned *a, const unsigned *b, int n) {
    for (int i = 0; i < n; i++) a[i] += b[0];
}
