/* The wtping line protocol: replies and a bounded line assembler. */
#include "ping/ping_line.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* First allocation for a partial line; doubled up to PING_LINE_MAX. */
#define PING_LINES_INITIAL_CAP 256

/*
 * is_ping returns true if |line| (|len| bytes) is "ping" or "ping <rest>".
 */
static bool is_ping(const uint8_t *line, size_t len) {
  if (len < 4 || memcmp(line, "ping", 4) != 0) {
    return false;
  }

  return len == 4 || line[4] == ' ';
}

size_t ping_reply_len(const uint8_t *line, size_t len) {
  if (is_ping(line, len)) {
    /* "pong" + rest + '\n' */
    return len + 1;
  }

  return sizeof(PING_UNKNOWN_REPLY) - 1;
}

size_t ping_reply_write(const uint8_t *line, size_t len, uint8_t *out, size_t cap) {
  size_t n = ping_reply_len(line, len);

  if (n > cap) {
    return 0;
  }

  if (is_ping(line, len)) {
    memcpy(out, "pong", 4);
    if (len > 4) {
      memcpy(out + 4, line + 4, len - 4);
    }
    out[len] = '\n';
  } else {
    memcpy(out, PING_UNKNOWN_REPLY, n);
  }

  return n;
}

long ping_datagram_reply(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  if (!is_ping(in, len) || len > cap || len > (size_t)LONG_MAX) {
    return -1;
  }

  memcpy(out, "pong", 4);
  if (len > 4) {
    memcpy(out + 4, in + 4, len - 4);
  }

  return (long)len;
}

void ping_lines_init(ping_lines *pl) {
  pl->buf = NULL;
  pl->len = 0;
  pl->cap = 0;
}

void ping_lines_free(ping_lines *pl) {
  free(pl->buf);
  ping_lines_init(pl);
}

size_t ping_lines_pending(const ping_lines *pl) { return pl->len; }

/*
 * ping_lines_append appends |data| (|len| bytes) to the partial line in
 * |pl|, growing the buffer geometrically but never past PING_LINE_MAX.
 * Returns 0, PING_LINES_TOO_LONG if the line would exceed PING_LINE_MAX, or
 * PING_LINES_NOMEM (|pl| is then unchanged).
 */
static int ping_lines_append(ping_lines *pl, const uint8_t *data, size_t len) {
  size_t need, ncap;
  uint8_t *nbuf;

  if (len > PING_LINE_MAX - pl->len) {
    return PING_LINES_TOO_LONG;
  }

  need = pl->len + len;

  if (need > pl->cap) {
    ncap = pl->cap ? pl->cap : PING_LINES_INITIAL_CAP;
    while (ncap < need) {
      ncap *= 2;
    }
    if (ncap > PING_LINE_MAX) {
      ncap = PING_LINE_MAX;
    }

    nbuf = realloc(pl->buf, ncap);
    if (nbuf == NULL) {
      return PING_LINES_NOMEM;
    }
    pl->buf = nbuf;
    pl->cap = ncap;
  }

  if (len) {
    memcpy(pl->buf + pl->len, data, len);
  }
  pl->len = need;

  return 0;
}

/*
 * ping_lines_feed: any nonzero return ends the stream's line processing.
 * The bytes of |data| after the line that failed or stopped are not
 * consumed and the partial-line buffer is left empty (or, after
 * PING_LINES_NOMEM, as it was), so the caller should reset the stream
 * (PING_ERR_LINE_TOO_LONG / PING_ERR_INTERNAL) and call ping_lines_free
 * rather than feed more.
 */
int ping_lines_feed(ping_lines *pl, const uint8_t *data, size_t len, ping_line_cb cb, void *ud) {
  const uint8_t *p, *end, *nl;
  size_t linelen;
  int rv;

  if (len == 0) {
    return 0;
  }

  p = data;
  end = data + len;

  if (pl->len) {
    /* Finish the buffered line first. */
    nl = memchr(p, '\n', len);
    if (nl == NULL) {
      rv = ping_lines_append(pl, p, len);
      if (rv == PING_LINES_TOO_LONG) {
        pl->len = 0;
      }
      return rv;
    }

    rv = ping_lines_append(pl, p, (size_t)(nl - p));
    if (rv != 0) {
      if (rv == PING_LINES_TOO_LONG) {
        pl->len = 0;
      }
      return rv;
    }

    linelen = pl->len;
    /* The line is consumed whatever the callback says. */
    pl->len = 0;
    rv = cb(ud, pl->buf, linelen);
    if (rv != 0) {
      return rv;
    }

    p = nl + 1;
  }

  /* Lines wholly inside |data| go straight to the callback. */
  while (p != end) {
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL) {
      break;
    }

    linelen = (size_t)(nl - p);
    if (linelen > PING_LINE_MAX) {
      return PING_LINES_TOO_LONG;
    }

    rv = cb(ud, p, linelen);
    if (rv != 0) {
      return rv;
    }

    p = nl + 1;
  }

  if (p == end) {
    return 0;
  }

  /* Keep the unfinished tail; refuse it at once if already too long. */
  return ping_lines_append(pl, p, (size_t)(end - p));
}
