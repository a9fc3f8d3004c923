/* Fuzz harness: the wtping line protocol (src/ping/ping_line.c). The first
 * byte gives a chunk size; the rest is fed to a line assembler in chunks of
 * that size (as a stream would deliver it), each line is answered, and the
 * same bytes are also answered as a datagram. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ping/ping_line.h"

typedef struct feed_state {
  uint8_t *reply;
  size_t lines;
  size_t bytes; /* bytes of complete lines seen, with their '\n' */
} feed_state;

static int on_line(void *ud, const uint8_t *line, size_t len) {
  feed_state *st = ud;
  FUZZ_CHECK(len <= PING_LINE_MAX && !memchr(line, '\n', len));
  size_t n = ping_reply_len(line, len);
  FUZZ_CHECK(n <= PING_LINE_MAX + 1);
  FUZZ_CHECK(ping_reply_write(line, len, st->reply, n) == n);
  FUZZ_CHECK(st->reply[n - 1] == '\n');
  FUZZ_CHECK(n < 2 || ping_reply_write(line, len, st->reply, n - 1) == 0);
  st->lines++;
  st->bytes += len + 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  size_t chunk = (size_t)data[0] + 1;
  const uint8_t *p = data + 1;
  size_t len = size - 1;
  feed_state st = {.reply = malloc(PING_LINE_MAX + 1)};
  if (!st.reply)
    return 0;
  ping_lines pl;
  ping_lines_init(&pl);
  int rv = 0;
  size_t off = 0;
  while (off < len && rv == 0) {
    size_t n = len - off < chunk ? len - off : chunk;
    rv = ping_lines_feed(&pl, p + off, n, on_line, &st);
    off += n;
  }
  FUZZ_CHECK(rv == 0 || rv == PING_LINES_TOO_LONG);
  if (rv == 0) {
    /* everything fed is either a complete line or the pending tail */
    FUZZ_CHECK(st.bytes + ping_lines_pending(&pl) == len);
    FUZZ_CHECK(ping_lines_pending(&pl) <= PING_LINE_MAX);
  }
  ping_lines_free(&pl);

  uint8_t *out = st.reply;
  long r = ping_datagram_reply(p, len, out, PING_LINE_MAX + 1);
  if (r >= 0) {
    FUZZ_CHECK((size_t)r == len && memcmp(out, "pong", 4) == 0 &&
               memcmp(out + 4, p + 4, len - 4) == 0);
  }
  free(st.reply);
  return 0;
}
