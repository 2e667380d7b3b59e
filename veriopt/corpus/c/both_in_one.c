/* One file holding both versions: rotate left written two ways. */
#include <stdint.h>

uint32_t rotl(uint32_t x, unsigned r) {
    r &= 31;
    return r == 0 ? x : (x << r) | (x >> (32 - r));
}

uint32_t rotl_fast(uint32_t x, unsigned r) {
    return (x << (r & 31)) | (x >> (-r & 31));
}

uint32_t rotl_bad(uint32_t x, unsigned r) {
    return (x << (r & 31)) | (x >> (32 - (r & 31)));
}
