/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef WTPING_UTF8_H
#define WTPING_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* utf8_valid returns true if the |len| bytes at |p| are well-formed UTF-8. */
bool utf8_valid(const uint8_t *p, size_t len);

#endif
