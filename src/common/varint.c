/* QUIC variable-length integers (RFC 9000 section 16). */
#include "common/varint.h"

#include <string.h>

size_t varint_len(uint64_t v) {
  if (v < (UINT64_C(1) << 6)) {
    return 1;
  }
  if (v < (UINT64_C(1) << 14)) {
    return 2;
  }
  if (v < (UINT64_C(1) << 30)) {
    return 4;
  }
  if (v <= VARINT_MAX) {
    return 8;
  }
  return 0;
}

size_t varint_decode(const uint8_t *p, size_t len, uint64_t *out) {
  size_t n, i;
  uint64_t v;

  if (len == 0) {
    return 0;
  }
  /* The two high bits of the first byte give the length: 1, 2, 4 or 8. */
  n = (size_t)1 << (p[0] >> 6);
  if (len < n) {
    return 0;
  }
  v = p[0] & 0x3f;
  for (i = 1; i < n; ++i) {
    v = (v << 8) | p[i];
  }
  *out = v;
  return n;
}

/* varint_encode: a |v| above VARINT_MAX (a caller bug) writes nothing and
 * returns |p| unchanged, so the caller's length arithmetic stays in bounds. */
uint8_t *varint_encode(uint8_t *p, uint64_t v) {
  switch (varint_len(v)) {
  case 1:
    *p++ = (uint8_t)v;
    return p;
  case 2:
    *p++ = (uint8_t)(0x40 | (v >> 8));
    *p++ = (uint8_t)v;
    return p;
  case 4:
    *p++ = (uint8_t)(0x80 | (v >> 24));
    *p++ = (uint8_t)(v >> 16);
    *p++ = (uint8_t)(v >> 8);
    *p++ = (uint8_t)v;
    return p;
  case 8:
    *p++ = (uint8_t)(0xc0 | (v >> 56));
    *p++ = (uint8_t)(v >> 48);
    *p++ = (uint8_t)(v >> 40);
    *p++ = (uint8_t)(v >> 32);
    *p++ = (uint8_t)(v >> 24);
    *p++ = (uint8_t)(v >> 16);
    *p++ = (uint8_t)(v >> 8);
    *p++ = (uint8_t)v;
    return p;
  default:
    return p;
  }
}

/* varint_pair_decode: |*a| and |*b| are only written when both varints are
 * complete. */
size_t varint_pair_decode(const uint8_t *p, size_t len, uint64_t *a, uint64_t *b) {
  uint64_t va, vb;
  size_t na, nb;

  na = varint_decode(p, len, &va);
  if (na == 0) {
    return 0;
  }
  nb = varint_decode(p + na, len - na, &vb);
  if (nb == 0) {
    return 0;
  }
  *a = va;
  *b = vb;
  return na + nb;
}

size_t varint_fill(uint8_t *acc, uint8_t *acclen, const uint8_t *data, size_t len, uint64_t *v,
                   bool *done) {
  size_t old = *acclen;
  size_t take = VARINT_MAXLEN - old;
  if (take > len)
    take = len;
  memcpy(acc + old, data, take);
  size_t n = varint_decode(acc, old + take, v);
  if (n == 0) {
    *acclen = (uint8_t)(old + take);
    *done = false;
    return take;
  }
  *acclen = 0;
  *done = true;
  return n - old;
}
