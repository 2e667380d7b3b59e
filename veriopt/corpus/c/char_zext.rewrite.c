/* signedness change: zero extension instead of sign extension (rewrite) */
#include <stdint.h>
#include <stdbool.h>
#include <limits.h>

int widen(signed char c) { return (unsigned char)c; }
