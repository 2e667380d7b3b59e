/* store loop reversed (original) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

void zero(int *a, int n) { for (int i = 0; i < n; i++) a[i] = 0; }
