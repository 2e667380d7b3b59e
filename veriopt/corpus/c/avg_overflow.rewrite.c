/* signed overflow introduced by narrowing the intermediate (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int avg(int a, int b) { return (a + b) / 2; }
