/* Building pings and parsing pongs: "ping <seq> <ts>[ <padding>]". */
#include "ping/ping_msg.h"

#include <string.h>

/* Longest decimal representation of a uint64_t (18446744073709551615). */
#define PING_MSG_U64_DIGITS 20

/* Byte used for padding. */
#define PING_MSG_PAD_BYTE 'x'

/*
 * u64_digits returns the number of decimal digits of |v| (1 for 0).
 */
static size_t u64_digits(uint64_t v) {
  size_t n = 1;

  for (; v >= 10; v /= 10) {
    ++n;
  }

  return n;
}

/*
 * write_u64 writes |v| in decimal at |out| and returns the number of
 * bytes written.  |out| must have room for u64_digits(|v|) bytes.
 */
static size_t write_u64(uint8_t *out, uint64_t v) {
  size_t n = u64_digits(v);
  size_t i;

  for (i = n; i > 0; --i) {
    out[i - 1] = (uint8_t)('0' + v % 10);
    v /= 10;
  }

  return n;
}

/*
 * parse_u64 parses a run of decimal digits starting at |*pp| (not past
 * |end|) into |*v| and advances |*pp| past it.  Returns 0, or -1 if there
 * is no digit, more than PING_MSG_U64_DIGITS digits, or the value exceeds
 * UINT64_MAX.
 */
static int parse_u64(const uint8_t **pp, const uint8_t *end, uint64_t *v) {
  const uint8_t *p = *pp;
  uint64_t acc = 0;
  size_t n = 0;
  unsigned d;

  for (; p != end && *p >= '0' && *p <= '9'; ++p) {
    if (++n > PING_MSG_U64_DIGITS) {
      return -1;
    }

    d = (unsigned)(*p - '0');
    if (acc > (UINT64_MAX - d) / 10) {
      return -1;
    }

    acc = acc * 10 + d;
  }

  if (n == 0) {
    return -1;
  }

  *pp = p;
  *v = acc;

  return 0;
}

size_t ping_msg_len(uint64_t seq, uint64_t ts, size_t pad, bool newline) {
  /* "ping " + seq + " " + ts */
  size_t n = 5 + u64_digits(seq) + 1 + u64_digits(ts);

  if (pad > 0) {
    /* Saturate instead of wrapping: such a message can never fit. */
    if (pad > SIZE_MAX - n - 2) {
      return SIZE_MAX;
    }

    n += 1 + pad;
  }

  if (newline) {
    ++n;
  }

  return n;
}

size_t ping_msg_write(uint8_t *out, size_t cap, uint64_t seq, uint64_t ts, size_t pad,
                      bool newline) {
  size_t n = ping_msg_len(seq, ts, pad, newline);
  uint8_t *p = out;

  if (n == SIZE_MAX || n > cap) {
    return 0;
  }

  memcpy(p, "ping ", 5);
  p += 5;
  p += write_u64(p, seq);
  *p++ = ' ';
  p += write_u64(p, ts);

  if (pad > 0) {
    *p++ = ' ';
    memset(p, PING_MSG_PAD_BYTE, pad);
    p += pad;
  }

  if (newline) {
    *p++ = '\n';
  }

  return (size_t)(p - out);
}

int ping_msg_parse_pong(const uint8_t *p, size_t len, uint64_t *seq, uint64_t *ts) {
  const uint8_t *end = p + len;
  uint64_t s, t;

  if (len < 5 || memcmp(p, "pong ", 5) != 0) {
    return -1;
  }

  p += 5;

  if (parse_u64(&p, end, &s) != 0) {
    return -1;
  }

  if (p == end || *p != ' ') {
    return -1;
  }

  ++p;

  if (parse_u64(&p, end, &t) != 0) {
    return -1;
  }

  /* Anything after <ts> must be introduced by a single space. */
  if (p != end && *p != ' ') {
    return -1;
  }

  *seq = s;
  *ts = t;

  return 0;
}
