/* signed overflow introduced by narrowing the intermediate (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int avg(int a, int b) { return (int)(((long)a + b) / 2); }
