/* clamp with early returns becomes nested selects (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int clamp(int x) { return x < 0 ? 0 : (x > 255 ? 255 : x); }
