/* byte swap idiom recognised (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

uint32_t f(uint32_t x) {
    return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}
