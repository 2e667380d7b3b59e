/* clamp with early returns becomes nested selects (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int clamp(int x) {
    if (x < 0) return 0;
    if (x > 255) return 255;
    return x;
}
