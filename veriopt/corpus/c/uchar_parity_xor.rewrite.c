/* xor loop over an unsigned char counter replaced by a parity test (rewrite) */
#include <stdint.h>

int f(unsigned char n, int x) { return (n & 1) ? x : 0; }
