/* aliasing assumption: the load is hoisted although b may point into a (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void addb(unsigned *a, const unsigned *b, int n) {
    if (n <= 0) return;
    unsigned t = b[0];
    for (int i = 0; i < n; i++) a[i] += t;
}
