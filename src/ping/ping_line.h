/* The wtping line protocol (docs/protocol.md): "ping[ <rest>]\n" is answered
 * by "pong[ <rest>]\n"; any other line by "error unknown-message\n". Pure
 * functions plus a bounded line assembler. */
#ifndef WTPING_PING_LINE_H
#define WTPING_PING_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line (excluding the '\n'). A longer line resets the stream with
 * PING_ERR_LINE_TOO_LONG. */
#define PING_LINE_MAX 65536
/* WebTransport application error codes used by wtping (<= 255, draft-02). */
#define PING_ERR_LINE_TOO_LONG 1
#define PING_ERR_INTERNAL 2

#define PING_UNKNOWN_REPLY "error unknown-message\n"

/* ping_reply_len returns the length of the reply to |line| (|len| bytes,
 * without '\n'), including the trailing '\n'. */
size_t ping_reply_len(const uint8_t *line, size_t len);

/* ping_reply_write writes the reply to |line| into |out| (|cap| bytes, at
 * least ping_reply_len()) and returns its length, or 0 if it does not fit. */
size_t ping_reply_write(const uint8_t *line, size_t len, uint8_t *out, size_t cap);

/* ping_datagram_reply answers a datagram payload: "ping" or "ping <rest>"
 * becomes "pong" / "pong <rest>" (no '\n') in |out|. Returns the reply
 * length, or -1 if the payload is not a ping (drop it and count it) or the
 * reply does not fit. */
long ping_datagram_reply(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* A bounded line assembler for one stream. The buffer grows on demand up to
 * PING_LINE_MAX bytes; only partial lines are buffered. */
typedef struct ping_lines {
  uint8_t *buf;
  size_t len, cap;
} ping_lines;

/* Called once per complete line (without the '\n'); return 0 to go on, or a
 * nonzero value to stop feeding (ping_lines_feed returns it). */
typedef int (*ping_line_cb)(void *ud, const uint8_t *line, size_t len);

void ping_lines_init(ping_lines *pl);
void ping_lines_free(ping_lines *pl);

/* ping_lines_feed splits |data| into lines, calling |cb| for each complete
 * one (lines wholly inside |data| are passed without copying). Returns 0,
 * PING_LINES_TOO_LONG when a line exceeds PING_LINE_MAX, PING_LINES_NOMEM, or
 * the callback's nonzero value. */
#define PING_LINES_TOO_LONG (-1)
#define PING_LINES_NOMEM (-2)
int ping_lines_feed(ping_lines *pl, const uint8_t *data, size_t len, ping_line_cb cb, void *ud);

/* ping_lines_pending returns the number of buffered bytes of an unfinished
 * line (a stream ending with pending bytes had an unterminated last line). */
size_t ping_lines_pending(const ping_lines *pl);

#endif
