/* The messages wtping-client sends: "ping <seq> <ts>[ <padding>]", answered
 * by "pong <seq> <ts>[ <padding>]" (the server echoes <rest>). <seq> and
 * <ts> are decimal; <ts> is the sender's monotonic send time in ns, so a
 * reply can be matched even when it arrives out of order. On streams each
 * message ends with '\n'; datagrams carry no '\n'. */
#ifndef WTPING_PING_MSG_H
#define WTPING_PING_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest "ping <seq> <ts> " prefix: 5 + 20 + 1 + 20 + 1. */
#define PING_MSG_HDR_MAX 47

/* ping_msg_len returns the length of a ping with |pad| padding bytes
 * (and a '\n' when |newline|). */
size_t ping_msg_len(uint64_t seq, uint64_t ts, size_t pad, bool newline);

/* ping_msg_write writes "ping <seq> <ts>", then " " and |pad| padding bytes
 * ('x'..., printable) when |pad| > 0, then '\n' when |newline|. Returns the
 * length, or 0 if it does not fit |cap|. */
size_t ping_msg_write(uint8_t *out, size_t cap, uint64_t seq, uint64_t ts, size_t pad,
                      bool newline);

/* ping_msg_parse_pong parses one reply (without the '\n'): "pong <seq> <ts>"
 * optionally followed by " <anything>". Numbers: decimal, no sign, no
 * leading '+', at most 20 digits, no overflow. Returns 0, or -1 if the
 * payload is not such a pong. */
int ping_msg_parse_pong(const uint8_t *p, size_t len, uint64_t *seq, uint64_t *ts);

#endif
