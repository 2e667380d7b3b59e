/* xor loop over an unsigned char counter replaced by a parity test (original) */
#include <stdint.h>

int f(unsigned char n, int x) {
    int s = 0;
    for (unsigned char i = 0; i < n; i++) s ^= x;
    return s;
}
