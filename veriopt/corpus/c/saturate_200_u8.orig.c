/* saturating counter (stops at 200) replaced by n: differs after 200 iterations of a uint8_t loop (original) */
#include <stdint.h>

uint8_t f(uint8_t n) {
    uint8_t c = 0;
    for (uint8_t i = 0; i < n; i++)
        if (c < 200) c++;
    return c;
}
