/* switch table replaced by a guarded shift (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int f(int x) {
    switch (x) {
    case 0: return 1;
    case 1: return 2;
    case 2: return 4;
    case 3: return 8;
    default: return 0;
    }
}
