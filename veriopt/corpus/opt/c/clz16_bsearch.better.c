/* known better version of clz16_bsearch.c */
#include <stdint.h>
uint32_t clz16(uint16_t v) { return v ? __builtin_clz(v) - 16 : 16; }
